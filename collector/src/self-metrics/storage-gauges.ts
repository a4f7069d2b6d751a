import type pg from 'pg';
import type { OpenedStorage } from '../storage/open-storage.js';
import type { CollectorMetrics } from './collector-metrics.js';

// Gauges read from the database when /metrics is scraped: the PostgreSQL pool, the notification
// outbox and open alerts. Outbox and alerts are read from the shared tables, so every replica
// reports the same cluster-wide figures (use max(), not sum(), across replicas).

const OUTBOX_SQL = "SELECT count(*) AS n FROM outbox WHERE state = 'pending'";
/** The state operators see, as alert-record.ts displayState() derives it from the row. */
const SHOWN_STATE =
  "CASE WHEN state = 'firing' AND silence_id IS NOT NULL THEN 'suppressed' " +
  "WHEN state = 'firing' AND acked_ms IS NOT NULL THEN 'acknowledged' ELSE state END";
const ALERTS_SQL =
  `SELECT ${SHOWN_STATE} AS state, COALESCE(severity, 'none') AS severity, count(*) AS n ` +
  "FROM alerts WHERE state NOT IN ('resolved', 'inactive') " +
  `GROUP BY ${SHOWN_STATE}, COALESCE(severity, 'none')`;

interface CountRow {
  readonly n: number | string;
  readonly state?: string;
  readonly severity?: string;
}

export function addStorageGauges(metrics: CollectorMetrics, storage: OpenedStorage): void {
  const { registry } = metrics;
  const read = readerFor(storage);
  if (storage.kind === 'postgres') addPoolGauges(metrics, storage.pool);

  registry.gauge({
    name: 'hostpulse_outbox_pending_notifications',
    help: 'Notifications waiting in the outbox for delivery (all replicas).',
    collect: async (gauge) => {
      const rows = await read(OUTBOX_SQL);
      gauge.set({}, Number(rows[0]?.n ?? 0));
    },
  });
  registry.gauge<'state' | 'severity'>({
    name: 'hostpulse_alerts',
    help: 'Open alerts by the state operators see and severity (all replicas).',
    labelNames: ['state', 'severity'],
    collect: async (gauge) => {
      for (const row of await read(ALERTS_SQL)) {
        gauge.set({ state: row.state ?? '', severity: row.severity ?? 'none' }, Number(row.n));
      }
    },
  });
}

function readerFor(storage: OpenedStorage): (sql: string) => Promise<CountRow[]> {
  if (storage.kind === 'postgres') {
    return async (sql) => (await storage.pool.query<CountRow>(sql)).rows;
  }
  return async (sql) => storage.db.prepare(sql).all() as CountRow[];
}

function addPoolGauges(metrics: CollectorMetrics, pool: pg.Pool): void {
  const { registry } = metrics;
  registry.gauge({
    name: 'hostpulse_db_pool_connections',
    help: 'PostgreSQL connections open in the pool.',
    collect: (gauge) => gauge.set({}, pool.totalCount),
  });
  registry.gauge({
    name: 'hostpulse_db_pool_idle_connections',
    help: 'PostgreSQL connections open and idle in the pool.',
    collect: (gauge) => gauge.set({}, pool.idleCount),
  });
  registry.gauge({
    name: 'hostpulse_db_pool_waiting_requests',
    help: 'Requests waiting for a PostgreSQL connection.',
    collect: (gauge) => gauge.set({}, pool.waitingCount),
  });
  measurePoolWait(pool, (seconds) => metrics.poolWait.observe({}, seconds));
}

type ConnectCallback = (err: Error | undefined, client: unknown, done: unknown) => void;

/**
 * pg.Pool keeps no wait time, so connect() is wrapped on this pool instance: pool.query() goes
 * through it too. The pool's behaviour is unchanged; only the time to get a client is observed.
 */
export function measurePoolWait(pool: pg.Pool, observe: (seconds: number) => void): void {
  const connect = pool.connect.bind(pool) as (cb?: ConnectCallback) => Promise<unknown> | undefined;
  const replacement = (cb?: ConnectCallback) => {
    const started = performance.now();
    const seen = () => observe((performance.now() - started) / 1000);
    if (typeof cb === 'function') {
      return connect((err, client, done) => {
        seen();
        cb(err, client, done);
      });
    }
    return (connect() as Promise<unknown>).finally(seen);
  };
  (pool as unknown as { connect: typeof replacement }).connect = replacement;
}
