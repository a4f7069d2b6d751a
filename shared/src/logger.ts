import { pino, stdSerializers, type Logger, type DestinationStream } from 'pino';

export type { Logger } from 'pino';

// A second net behind safeUrl(): any field under these paths is replaced before it is written.
const REDACT_PATHS = [
  'token',
  '*.token',
  'password',
  '*.password',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'webhookUrl',
  '*.webhookUrl',
  'smtpUrl',
  '*.smtpUrl',
  'databaseUrl',
  '*.databaseUrl',
];

export interface LoggerOptions {
  readonly name: string;
  readonly level?: string;
  readonly destination?: DestinationStream;
}

/** The one root logger of a process; components take children: log.child({ component }). */
export function createLogger(options: LoggerOptions): Logger {
  const level = options.level ?? process.env.HOSTPULSE_LOG_LEVEL ?? 'info';
  const config = {
    name: options.name,
    level,
    serializers: { err: serializeError },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}

/** A logger that writes nothing, for tests and the --once printer. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * pino's error serializer, with a message that names each cause once. pino appends every
 * cause's message to the error's own, but our wrappers mostly quote their cause already
 * (`PostgreSQL at …: database "x" does not exist (migrate); …`), which it then repeated.
 */
export function serializeError(err: unknown): unknown {
  const serialized = stdSerializers.err(err as Error);
  if (err instanceof Error) serialized.message = messageOnce(err);
  return serialized;
}

function messageOnce(err: Error): string {
  let message = err.message;
  const seen = new Set<unknown>([err]);
  for (let cause = err.cause; cause instanceof Error && !seen.has(cause); cause = cause.cause) {
    seen.add(cause);
    if (cause.message !== '' && !message.includes(cause.message)) message += `: ${cause.message}`;
  }
  return message;
}
