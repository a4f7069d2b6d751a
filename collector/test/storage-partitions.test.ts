import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { silentLogger } from '@hostpulse/shared';
import { openStorage } from '../src/storage/open-storage.js';
import { migratePostgres } from '../src/storage/postgres/migrate.js';
import { postgresMigrations } from '../src/storage/postgres/migrations/index.js';
import { PostgresStorage } from '../src/storage/postgres/postgres-storage.js';
import { createTestDatabase, type TestDatabase } from './helpers/pg.js';
import { batchOf, seriesOf } from './storage.suite.js';

// PostgreSQL's daily partitions, seen in the catalog: migrations 004 and 011 move existing
// samples into them (as 5-minute chunks since 011), ingest makes the ones of exactly-once keys
// and the rollup job those of the chunks it folds, retention drops whole ones, and a job held by
// another replica's advisory lock does not run twice; migration 009 keeps the keys stored before
// it refusing their resends. The fold itself: batch rows become chunks and rollups, late ones
// too.

const DAY = 86_400_000;
const D0 = 1_689_984_000_000; // a UTC midnight

async function partitions(pool: pg.Pool, parent: string): Promise<string[]> {
  const result = await pool.query<{ relname: string }>(
    `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = $1::regclass ORDER BY c.relname`,
    [parent],
  );
  return result.rows.map((row) => row.relname);
}

/** A PostgreSQL storage on a throwaway database for the describe block it is called in. */
function freshStorage(): { readonly storage: PostgresStorage; readonly db: TestDatabase } {
  const held = {} as { storage: PostgresStorage; db: TestDatabase };
  beforeAll(async () => {
    held.db = await createTestDatabase();
    const options = { databaseUrl: held.db.url, poolMax: 4, dataDir: '/nonexistent', log: silentLogger() };
    held.storage = (await openStorage(options)) as PostgresStorage;
  });
  afterAll(async () => {
    await held.storage?.close();
    await held.db?.drop();
  });
  return held;
}

describe('PostgreSQL partitions', () => {
  const fresh = freshStorage();

  it('moves the samples of an older schema into daily partitions of chunks, losing none and rolling them up', async () => {
    await migratePostgres(fresh.storage.pool, postgresMigrations.slice(0, 2));
    await fresh.storage.pool.query(`INSERT INTO hosts (id, name, labels, agent_version, first_seen_ms, last_seen_ms,
      interval_ms, clock_skew_ms, state, last_incarnation) VALUES ('old', 'old', '{}', '1', 0, 0, 10000, 0, 'up', 'i')`);
    await fresh.storage.pool.query(`INSERT INTO series (id, host_id, metric, labels, labels_key)
      VALUES (1, 'old', 'old_metric', '{}', '')`);
    await fresh.storage.pool.query(
      `INSERT INTO samples SELECT 1, $1::bigint + i * 3600000, i FROM generate_series(0, 71) AS i`,
      [D0],
    );
    await fresh.storage.migrate();

    const days = ['sample_chunks_20230722', 'sample_chunks_20230723', 'sample_chunks_20230724'];
    expect(await partitions(fresh.storage.pool, 'sample_chunks')).toEqual(days);
    const count = await fresh.storage.pool.query<{ n: number; total: number }>('SELECT count(*)::int AS n, sum(value)::int AS total FROM samples');
    expect(count.rows[0]).toEqual({ n: 72, total: (71 * 72) / 2 });
    const rolled = await fresh.storage.pool.query('SELECT count(*)::int AS n, sum(sum_value)::int AS total FROM samples_5m');
    expect(rolled.rows[0]).toEqual({ n: 72, total: (71 * 72) / 2 });
    const gone = await fresh.storage.pool.query("SELECT to_regclass('samples_unpartitioned') AS a, to_regclass('rollup_pending') AS b");
    expect(gone.rows[0]).toEqual({ a: null, b: null });
  });

  it('makes the partitions a batch needs at ingest and when folded, and the next days ahead by the job', async () => {
    const far = D0 + 40 * DAY;
    await fresh.storage.ingest(batchOf({ agentId: 'p1', series: [seriesOf('load_1m', [[far, 1], [far + DAY, 2]])] }));
    expect(await partitions(fresh.storage.pool, 'batches')).toContain('batches_20230901');
    await fresh.storage.rollUp(far + 2 * DAY);
    expect(await partitions(fresh.storage.pool, 'sample_chunks')).toEqual(expect.arrayContaining(['sample_chunks_20230831', 'sample_chunks_20230901']));

    const made = await fresh.storage.preparePartitions(D0 + 100 * DAY);
    const days = ['sample_chunks_20231030', 'sample_chunks_20231031', 'sample_chunks_20231101', 'sample_chunks_20231102'];
    const keyDays = days.map((name) => name.replace('sample_chunks_', 'batches_'));
    expect(made.created).toEqual(expect.arrayContaining([...days, ...keyDays, 'samples_5m_202310', 'samples_5m_202311']));
    expect((await fresh.storage.preparePartitions(D0 + 100 * DAY)).created).toEqual([]);
  });

  it('drops whole raw partitions past retention, keeping the newer ones and the answers across the edge', async () => {
    const series = [seriesOf('edge_metric', Array.from({ length: 72 }, (_, i): [number, number] => [D0 + i * 3_600_000, i]))];
    await fresh.storage.ingest(batchOf({ agentId: 'p2', series }));
    const now = D0 + 2 * DAY + 15 * DAY + 1;
    await fresh.storage.rollUp(D0 + 3 * DAY); // as the job did every minute meanwhile
    await fresh.storage.rollUp(now);
    const result = await fresh.storage.applyRetention(now);

    expect(result.dropped).toEqual(['sample_chunks_20230722', 'sample_chunks_20230723']);
    const left = await partitions(fresh.storage.pool, 'sample_chunks');
    expect(left[0]).toBe('sample_chunks_20230724');
    expect(left).not.toContain('sample_chunks_20230722');

    const query = (stepMs?: number) =>
      fresh.storage.query({ metric: 'edge_metric', labels: {}, fromMs: D0 + DAY, toMs: D0 + 3 * DAY - 1, stepMs, agg: 'max', maxPoints: 1_000 });
    expect((await query())[0]?.points[0]).toEqual([D0 + 2 * DAY, 48]);
    const daily = (await query(DAY))[0]?.points;
    expect(daily).toEqual([[D0 + DAY, 47], [D0 + 2 * DAY, 71]]);
  });

  it('keeps exactly-once keys in daily partitions of the batch time and drops whole ones past retention', async () => {
    const day = D0 + 5 * DAY; // 2023-07-27
    const series = [seriesOf('keyed', [[day + 3_600_000, 1]])];
    const batch = batchOf({ agentId: 'p4', receivedMs: day + 9 * DAY, series });
    await fresh.storage.ingest(batch);
    expect(await partitions(fresh.storage.pool, 'batches')).toContain('batches_20230727');
    const stored = await fresh.storage.pool.query('SELECT batch_day_ms FROM batches_20230727 WHERE agent_id = $1', [
      'p4',
    ]);
    expect(stored.rows).toEqual([{ batch_day_ms: day }]);

    const now = day + DAY + 15 * DAY + 1;
    await fresh.storage.rollUp(now);
    const result = await fresh.storage.applyRetention(now);
    expect(result.dropped).toContain('batches_20230727');
    expect(await partitions(fresh.storage.pool, 'batches')).not.toContain('batches_20230727');
    expect((await fresh.storage.ingest(batch)).duplicate).toBe(false);
    expect(await partitions(fresh.storage.pool, 'batches')).toContain('batches_20230727');
  });

  it('folds batch rows into one chunk per series and bucket, and a late batch into another chunk and the same rollup', async () => {
    const b = D0 + 62 * DAY;
    const points = Array.from({ length: 31 }, (_, i): [number, number] => [b + i * 10_000, i]);
    await fresh.storage.ingest(batchOf({ agentId: 'p5', series: [seriesOf('folded', points)] }));
    expect((await fresh.storage.rollUp(b + 20 * 60_000)).rolledSamples).toBeGreaterThanOrEqual(points.length);
    const chunks = () =>
      fresh.storage.pool.query(`SELECT c.bucket_ms, cardinality(c.times_ms)::int AS n FROM sample_chunks c
        JOIN series s ON s.id = c.series_id WHERE s.metric = 'folded' ORDER BY 1, 2`);
    expect((await chunks()).rows).toEqual([{ bucket_ms: b, n: 30 }, { bucket_ms: b + 300_000, n: 1 }]);
    const waiting = await fresh.storage.pool.query("SELECT count(*)::int AS n FROM sample_batches WHERE host_id = 'p5'");
    expect(waiting.rows[0]).toEqual({ n: 0 });

    const late = batchOf({ agentId: 'p5', seq: 2, series: [seriesOf('folded', [[b + 5_000, 100], [b + 295_000, -1]])] });
    await fresh.storage.ingest(late);
    const raw = { metric: 'folded', labels: {}, fromMs: b, toMs: b + 15_000, agg: 'max' as const, maxPoints: 100 };
    // Before it is folded, a query reads the late batch row and the chunk together.
    expect((await fresh.storage.query(raw))[0]?.points).toEqual([[b, 0], [b + 5_000, 100], [b + 10_000, 1]]);
    // So does a query answered from rollups, whose bucket the late row belongs to.
    const daily = { ...raw, toMs: b + DAY - 1, stepMs: DAY };
    expect((await fresh.storage.query(daily))[0]?.points).toEqual([[b, 100]]);
    expect((await fresh.storage.query({ ...daily, agg: 'min' }))[0]?.points).toEqual([[b, -1]]);
    expect((await fresh.storage.query({ ...daily, agg: 'last' }))[0]?.points).toEqual([[b, 30]]);
    const again = await fresh.storage.rollUp(b + 20 * 60_000);
    expect([again.hosts, again.rolledSamples, again.writtenChunks, again.deletedRows]).toEqual([1, 2, 1, 0]);
    expect((await chunks()).rows).toEqual([{ bucket_ms: b, n: 2 }, { bucket_ms: b, n: 30 }, { bucket_ms: b + 300_000, n: 1 }]);
    const rollup = await fresh.storage.pool.query(`SELECT min_value, max_value, sum_value, count, last_ms, last_value
      FROM samples_5m r JOIN series s ON s.id = r.series_id WHERE s.metric = 'folded' AND r.bucket_ms = $1`, [b]);
    const sum = (29 * 30) / 2 + 100 - 1;
    expect(rollup.rows[0]).toEqual({ min_value: -1, max_value: 100, sum_value: sum, count: 32, last_ms: b + 295_000, last_value: -1 });
    expect((await fresh.storage.query({ ...raw, toMs: b + 10_000 }))[0]?.points).toEqual([[b, 0], [b + 5_000, 100], [b + 10_000, 1]]);
    const latest = (await fresh.storage.latest('p5')).find((v) => v.metric === 'folded');
    expect(latest).toMatchObject({ timeMs: b + 300_000, value: 30 });
  });

  it('rolls up a host whose clock jumped years ahead in one run, making only the months used', async () => {
    const near = D0 + 50 * DAY;
    const far = near + 3 * 365 * DAY;
    await fresh.storage.ingest(batchOf({ agentId: 'p3', series: [seriesOf('jumpy', [[near, 1], [far, 2]])] }));
    const result = await fresh.storage.rollUp(far + 3_600_000);
    const used = ['samples_5m_202309', 'samples_5m_202609', 'sample_chunks_20230910', 'sample_chunks_20260909'];
    expect(result.created).toEqual(expect.arrayContaining(['samples_5m_202609', 'sample_chunks_20260909']));
    expect(result.created.filter((name) => !used.includes(name))).toEqual([]);
    const rolled = await fresh.storage.pool.query('SELECT bucket_ms, count FROM samples_5m ORDER BY bucket_ms DESC LIMIT 1');
    expect(rolled.rows[0]).toEqual({ bucket_ms: far, count: 1 });
  });

  it('skips a maintenance run while another replica holds its lock', async () => {
    const other = new pg.Client(fresh.db.url);
    await other.connect();
    try {
      await other.query('SELECT pg_advisory_lock($1, $2)', [0x68_70_6a_62, 3]);
      expect((await fresh.storage.applyRetention(Date.now())).ran).toBe(false);
      await other.query('SELECT pg_advisory_unlock($1, $2)', [0x68_70_6a_62, 3]);
      expect((await fresh.storage.applyRetention(Date.now())).ran).toBe(true);
    } finally {
      await other.end();
    }
  });
});

describe('PostgreSQL migration 009 (exactly-once keys by day)', () => {
  const fresh = freshStorage();

  it('keeps refusing the keys stored before it until retention empties them at once', async () => {
    await migratePostgres(fresh.storage.pool, postgresMigrations.filter((m) => m.name < '009'));
    await fresh.storage.pool.query(
      `INSERT INTO batches (agent_id, incarnation, seq, received_ms, samples)
       SELECT 'before', 'inc-1', seq, $1::bigint + seq * 10000, 1 FROM generate_series(1, 3) AS seq`,
      [D0 + 3_600_000],
    );
    await fresh.storage.migrate();

    const kinds = await fresh.storage.pool.query<{ relname: string; relkind: string }>(
      "SELECT relname, relkind FROM pg_class WHERE relname IN ('batches', 'batches_unpartitioned') ORDER BY relname",
    );
    expect(kinds.rows).toEqual([
      { relname: 'batches', relkind: 'p' },
      { relname: 'batches_unpartitioned', relkind: 'r' },
    ]);
    // A resend of a batch stored before the upgrade: its day is new, its key is not.
    const resend = (seq: number) => {
      const series = [seriesOf('upgraded', [[D0 + 3_600_000, seq]])];
      return batchOf({ agentId: 'before', seq, receivedMs: D0 + DAY, series });
    };
    expect((await fresh.storage.ingest(resend(2))).duplicate).toBe(true);
    expect((await fresh.storage.ingest(resend(4))).duplicate).toBe(false);

    // The newest old key was received on D0: the key limit passes it 15 days after that day.
    await fresh.storage.rollUp(D0 + 16 * DAY);
    expect((await fresh.storage.applyRetention(D0 + 15 * DAY)).dropped).not.toContain('batches_unpartitioned');
    const result = await fresh.storage.applyRetention(D0 + 16 * DAY);
    // Its sample was past retention.raw when folded, so it made a rollup and no chunk.
    expect(result.dropped).toEqual(['batches_20230722', 'batches_unpartitioned']);
    const left = await fresh.storage.pool.query(`
      SELECT (SELECT count(*)::int FROM batches_unpartitioned) AS n,
        (SELECT count(*)::int FROM storage_state WHERE name LIKE 'batches%') AS state`);
    expect(left.rows[0]).toEqual({ n: 0, state: 0 });
    expect((await fresh.storage.ingest(resend(2))).duplicate).toBe(false);
  });
});
