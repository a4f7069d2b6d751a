import { Redis } from 'ioredis';
import { HostpulseError, safeUrl, type Logger } from '@hostpulse/shared';

// What /readyz asks besides the database: Redis, when collector.yaml names one (SPEC §5.4). A
// replica that cannot reach the Redis its peers share is not ready to take traffic.

export interface ReadinessCheck {
  readonly name: string;
  /** Resolves when the dependency answers; throws `storage_unavailable` otherwise. */
  check(): Promise<void>;
  close(): Promise<void>;
}

const PING_TIMEOUT_MS = 2_000;

export function redisReadiness(url: string, log: Logger): ReadinessCheck {
  const where = safeUrl(url);
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: PING_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
    // Keep trying in the background, at most every 5 s, so readiness comes back by itself.
    retryStrategy: (attempt) => Math.min(attempt * 500, 5_000),
  });
  let reachable: boolean | undefined;
  client.on('error', (err: Error) => {
    // ioredis reports every failed reconnect; only the change from up to down is worth a line.
    if (reachable !== false) log.warn({ redis: where, err }, 'Redis unreachable');
    reachable = false;
  });
  client.on('ready', () => {
    if (reachable === false) log.info({ redis: where }, 'Redis reachable again');
    reachable = true;
  });

  return {
    name: 'redis',
    async check() {
      try {
        if (client.status === 'wait') await client.connect();
        await withTimeout(client.ping(), PING_TIMEOUT_MS);
      } catch (err) {
        const message = `Redis at ${where} does not answer`;
        throw new HostpulseError('storage_unavailable', message, { dependency: 'redis' }, {
          cause: err,
        });
      }
    },
    async close() {
      client.disconnect();
    },
  };
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
