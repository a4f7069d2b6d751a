import { Type } from '@sinclair/typebox';
import type { Redis as RedisClient } from 'ioredis';
import { quote, safeUrl } from '@hostpulse/shared';
import type { CheckDefinition, CheckReport } from './check.js';

type RedisClass = typeof RedisClient;
let ioredis: Promise<RedisClass> | undefined;
function loadIoredis(): Promise<RedisClass> {
  const loading = ioredis ?? import('ioredis').then((module) => module.Redis);
  // A failure shows in the run that awaits it, not as an unhandled rejection meanwhile.
  loading.catch(() => undefined);
  ioredis = loading;
  return loading;
}

// Up when a new connection to `url` answers PING; the latency is the time for both. Then
// INFO memory and INFO clients give the memory used and the clients connected; their failure
// (INFO renamed or refused by an ACL) leaves the check up and is reported as a problem. Only
// PING and INFO are sent: nothing is written, and the connection is dropped after each run.

const redisConfig = Type.Object({
  url: Type.String({ format: 'uri' }),
});

export const redisCheck: CheckDefinition<typeof redisConfig> = {
  type: 'redis',
  config: redisConfig,
  metrics: ['redis_memory_used_bytes', 'redis_connected_clients'],
  validate(config) {
    if (/^rediss?:\/\//.test(config.url)) return [];
    const message = `${quote(safeUrl(config.url))} must start with redis:// or rediss://`;
    return [{ key: 'url', message }];
  },
  create(ctx, config) {
    // ioredis is loaded only when a redis check is configured: it is the agent's largest
    // dependency (bench/README.md, agent footprint). The import starts here, at load, so the
    // first run does not count it in its latency.
    const library = loadIoredis();
    return {
      async run(signal) {
        const Redis = await library;
        const redis = new Redis(config.url, {
          lazyConnect: true,
          // One attempt per run: no reconnect, no queue, no retry. The next run tries again.
          retryStrategy: () => null,
          maxRetriesPerRequest: 0,
          enableOfflineQueue: false,
          enableReadyCheck: false,
          // Backstops only: the runner's own timer, started first, ends the run before these.
          connectTimeout: ctx.timeoutMs,
          commandTimeout: ctx.timeoutMs,
        });
        // A failed connection rejects connect() with a bare "Connection is closed."; the reason
        // (ECONNREFUSED, a TLS error) comes only as an 'error' event, so it is kept from there.
        let connectionError: Error | undefined;
        redis.on('error', (err: Error) => {
          connectionError ??= err;
        });
        const drop = () => redis.disconnect();
        signal.addEventListener('abort', drop, { once: true });
        const started = performance.now();
        try {
          await redis.connect();
          await redis.ping();
          const latencyMs = performance.now() - started;
          return { latencyMs, ...(await readInfo(redis)) };
        } catch (err) {
          throw connectionError ?? err;
        } finally {
          signal.removeEventListener('abort', drop);
          redis.disconnect();
        }
      },
    };
  },
};

async function readInfo(redis: RedisClient): Promise<CheckReport> {
  let text: string;
  try {
    // Two sections asked one by one: INFO with several sections needs Redis 7.
    text = `${await redis.info('memory')}\n${await redis.info('clients')}`;
  } catch (err) {
    return { troubles: [{ source: 'info', message: (err as Error).message }] };
  }
  const fields = parseInfo(text);
  const figures = [
    { metric: 'redis_memory_used_bytes', value: fields.get('used_memory') },
    { metric: 'redis_connected_clients', value: fields.get('connected_clients') },
  ];
  return {
    figures: figures.flatMap((f) =>
      f.value !== undefined && Number.isFinite(Number(f.value))
        ? [{ metric: f.metric, value: Number(f.value) }]
        : [],
    ),
  };
}

/** INFO's `key:value` lines; `# Section` headers and blank lines are skipped. */
export function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (line.startsWith('#') || colon <= 0) continue;
    fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return fields;
}
