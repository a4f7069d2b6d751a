import { pino, type Logger, type DestinationStream } from 'pino';

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
