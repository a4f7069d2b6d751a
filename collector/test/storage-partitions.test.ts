import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { silentLogger } from '@hostpulse/shared';
import { openStorage } from '../src/storage/open-storage.js';
import { migratePostgres } from '../src/storage/postgres/migrate.js';
import { postgresMigrations } from '../src/storage/postgres/migrations/index.js';
import { PostgresStorage } from '../src/storage/postgres/postgres-storage.js';
import { createTestDatabase, type TestDatabase } from './helpers/pg.js';
import { batchOf, seriesOf } from './storage.suite.js';

// PostgreSQL's daily partitions, seen in the catalog: migration 004 moves existing samples into
// them, ingest makes the ones it needs, retention drops whole ones, and a job held by another
// replica's advisory lock does not run twice.

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

describe('PostgreSQL partitions', () => {
  let db: TestDatabase;
  let storage: PostgresStorage;

  beforeAll(async () => {
    db = await createTestDatabase();
    storage = (await openStorage({ databaseUrl: db.url, poolMax: 4, dataDir: '/nonexistent', log: silentLogger() })) as PostgresStorage;
  });

  afterAll(async () => {
    await storage?.close();
    await db?.drop();
  });

  it('moves the samples of an older schema into daily partitions, losing none', async () => {
    await migratePostgres(storage.pool, postgresMigrations.slice(0, 2));
    await storage.pool.query(
      `INSERT INTO samples SELECT 1, $1::bigint + i * 3600000, i FROM generate_series(0, 71) AS i`,
      [D0],
    );
    await storage.migrate();

    expect(await partitions(storage.pool, 'samples')).toEqual(['samples_20230722', 'samples_20230723', 'samples_20230724']);
    const count = await storage.pool.query<{ n: number; total: number }>('SELECT count(*)::int AS n, sum(value)::int AS total FROM samples');
    expect(count.rows[0]).toEqual({ n: 72, total: (71 * 72) / 2 });
    expect((await storage.pool.query('SELECT to_regclass($1) AS t', ['samples_unpartitioned'])).rows[0].t).toBeNull();
  });

  it('makes the partitions a batch needs at ingest, and the next days ahead by the job', async () => {
    const far = D0 + 40 * DAY;
    await storage.ingest(batchOf({ agentId: 'p1', series: [seriesOf('load_1m', [[far, 1], [far + DAY, 2]])] }));
    expect(await partitions(storage.pool, 'samples')).toEqual(expect.arrayContaining(['samples_20230831', 'samples_20230901']));

    const made = await storage.preparePartitions(D0 + 100 * DAY);
    const days = ['samples_20231030', 'samples_20231031', 'samples_20231101', 'samples_20231102'];
    expect(made.created).toEqual(expect.arrayContaining([...days, 'samples_5m_202310', 'samples_5m_202311']));
    expect((await storage.preparePartitions(D0 + 100 * DAY)).created).toEqual([]);
  });

  it('drops whole raw partitions past retention, keeping the newer ones and the answers across the edge', async () => {
    const series = [seriesOf('edge_metric', Array.from({ length: 72 }, (_, i): [number, number] => [D0 + i * 3_600_000, i]))];
    await storage.ingest(batchOf({ agentId: 'p2', series }));
    const now = D0 + 2 * DAY + 15 * DAY + 1;
    await storage.rollUp(D0 + 3 * DAY); // as the job did every minute meanwhile
    await storage.rollUp(now);
    const result = await storage.applyRetention(now);

    expect(result.dropped).toEqual(['samples_20230722', 'samples_20230723']);
    const left = await partitions(storage.pool, 'samples');
    expect(left[0]).toBe('samples_20230724');
    expect(left).not.toContain('samples_20230722');

    const query = (stepMs?: number) =>
      storage.query({ metric: 'edge_metric', labels: {}, fromMs: D0 + DAY, toMs: D0 + 3 * DAY - 1, stepMs, agg: 'max', maxPoints: 1_000 });
    expect((await query())[0]?.points[0]).toEqual([D0 + 2 * DAY, 48]);
    const daily = (await query(DAY))[0]?.points;
    expect(daily).toEqual([[D0 + DAY, 47], [D0 + 2 * DAY, 71]]);
  });

  it('rolls up a host whose clock jumped years ahead in one run, making only the months used', async () => {
    const near = D0 + 50 * DAY;
    const far = near + 3 * 365 * DAY;
    await storage.ingest(batchOf({ agentId: 'p3', series: [seriesOf('jumpy', [[near, 1], [far, 2]])] }));
    const result = await storage.rollUp(near + 3_600_000);
    const used = ['samples_5m_202309', 'samples_5m_202609'];
    expect(result.created).toContain('samples_5m_202609');
    expect(result.created.filter((name) => !used.includes(name))).toEqual([]);
    const rolled = await storage.pool.query('SELECT bucket_ms, count FROM samples_5m ORDER BY bucket_ms DESC LIMIT 1');
    expect(rolled.rows[0]).toEqual({ bucket_ms: far, count: 1 });
  });

  it('skips a maintenance run while another replica holds its lock', async () => {
    const other = new pg.Client(db.url);
    await other.connect();
    try {
      await other.query('SELECT pg_advisory_lock($1, $2)', [0x68_70_6a_62, 3]);
      expect((await storage.applyRetention(Date.now())).ran).toBe(false);
      await other.query('SELECT pg_advisory_unlock($1, $2)', [0x68_70_6a_62, 3]);
      expect((await storage.applyRetention(Date.now())).ran).toBe(true);
    } finally {
      await other.end();
    }
  });
});
