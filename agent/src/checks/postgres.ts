import { Type } from '@sinclair/typebox';
import type pg from 'pg';
import { quote, safeUrl } from '@hostpulse/shared';
import type { CheckDefinition, CheckReport } from './check.js';

// Up when a new connection to `url` is made and answers SELECT 1; the latency is the time for
// both. Then one read-only statistics query: connections used, the longest open transaction
// and the database's cache hit ratio. Its failure (a server older than 10, which lacks
// backend_type) leaves the check up and is reported as a problem of its own.

const STATISTICS = `
SELECT
  (SELECT sum(numbackends) FROM pg_stat_database)::float8
    / current_setting('max_connections')::float8 * 100 AS connections_used_percent,
  coalesce((SELECT extract(epoch FROM max(clock_timestamp() - xact_start))
    FROM pg_stat_activity
    WHERE xact_start IS NOT NULL AND backend_type = 'client backend'
      AND pid <> pg_backend_pid()), 0)::float8 AS longest_transaction_seconds,
  (SELECT blks_hit::float8 / nullif(blks_hit + blks_read, 0) * 100
    FROM pg_stat_database WHERE datname = current_database()) AS cache_hit_percent`;

const END_GRACE_MS = 1000;

let pgLibrary: Promise<typeof pg> | undefined;
function loadPg(): Promise<typeof pg> {
  const loading = pgLibrary ?? import('pg').then((module) => module.default);
  // A failure shows in the run that awaits it, not as an unhandled rejection meanwhile.
  loading.catch(() => undefined);
  pgLibrary = loading;
  return loading;
}

interface StatisticsRow {
  readonly connections_used_percent: number | null;
  readonly longest_transaction_seconds: number | null;
  readonly cache_hit_percent: number | null;
}

const postgresConfig = Type.Object({
  url: Type.String({ format: 'uri' }),
});

export const postgresCheck: CheckDefinition<typeof postgresConfig> = {
  type: 'postgres',
  config: postgresConfig,
  metrics: [
    'postgres_connections_used_percent',
    'postgres_longest_transaction_seconds',
    'postgres_cache_hit_percent',
  ],
  validate(config) {
    if (/^postgres(ql)?:\/\//.test(config.url)) return [];
    const message = `${quote(safeUrl(config.url))} must start with postgres:// or postgresql://`;
    return [{ key: 'url', message }];
  },
  create(ctx, config) {
    // pg is loaded only when a postgres check is configured (bench/README.md, agent
    // footprint); the import starts at load, so the first run does not count it as latency.
    const library = loadPg();
    return {
      async run(signal) {
        const { Client } = await library;
        const client = new Client({
          connectionString: config.url,
          // Backstops only: the runner's own timer, started first, ends the run before these.
          connectionTimeoutMillis: ctx.timeoutMs,
          statement_timeout: ctx.timeoutMs,
          application_name: 'hostpulse-agent',
        });
        // Errors that arrive once the run is over (the server going away while idle); the run's
        // own failures reach it through the rejected calls below.
        client.on('error', (err) => ctx.log.debug({ err }, 'connection error after the run'));
        // Destroying the socket fails the pending call at once; end() would wait for the server.
        const drop = () => client.connection.stream.destroy();
        signal.addEventListener('abort', drop, { once: true });
        const started = performance.now();
        try {
          await client.connect();
          await client.query('SELECT 1');
          const latencyMs = performance.now() - started;
          return { latencyMs, ...(await readStatistics(client)) };
        } finally {
          signal.removeEventListener('abort', drop);
          await endWithin(client, END_GRACE_MS);
        }
      },
    };
  },
};

// end() waits for the server to close its side; one that never does must not keep the run, and
// with it every later run of this check, waiting.
async function endWithin(client: pg.Client, graceMs: number): Promise<void> {
  const timer = setTimeout(() => client.connection.stream.destroy(), graceMs);
  try {
    await client.end();
  } finally {
    clearTimeout(timer);
  }
}

async function readStatistics(client: pg.Client): Promise<CheckReport> {
  let row: StatisticsRow | undefined;
  try {
    row = (await client.query<StatisticsRow>(STATISTICS)).rows[0];
  } catch (err) {
    return { troubles: [{ source: 'statistics', message: (err as Error).message }] };
  }
  const figures = [
    { metric: 'postgres_connections_used_percent', value: row?.connections_used_percent },
    { metric: 'postgres_longest_transaction_seconds', value: row?.longest_transaction_seconds },
    { metric: 'postgres_cache_hit_percent', value: row?.cache_hit_percent },
  ];
  // A database that has read no block yet has no hit ratio: nothing is sent rather than 0.
  return {
    figures: figures.flatMap((f) =>
      typeof f.value === 'number' ? [{ metric: f.metric, value: f.value }] : [],
    ),
  };
}
