import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@hostpulse/shared';
import { openStorage } from '../src/storage/open-storage.js';
import type { StoragePolicy } from '../src/storage/policy.js';
import { PostgresStorage } from '../src/storage/postgres/postgres-storage.js';
import { createTestDatabase, type TestDatabase } from './helpers/pg.js';
import { registerMaintenanceSuite } from './storage-maintenance.suite.js';
import { batchOf, registerStorageSuite, seriesOf } from './storage.suite.js';

// PostgreSQL, on a throwaway database per suite (helpers/pg.ts), dropped afterwards.

async function openOn(url: string, poolMax = 4, policy?: StoragePolicy) {
  return openStorage({ databaseUrl: url, poolMax, dataDir: '/nonexistent', log: silentLogger(), policy });
}

async function openFresh(policy?: StoragePolicy) {
  const db = await createTestDatabase();
  const storage = await openOn(db.url, 4, policy);
  return {
    storage,
    close: async () => {
      await storage.close();
      await db.drop();
    },
  };
}

registerStorageSuite('PostgreSQL', openFresh);
registerMaintenanceSuite('PostgreSQL', openFresh);

describe('PostgreSQL specifics', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('lets two collectors migrate the same database at once, each migration applied once', async () => {
    const [a, b] = [await openOn(db.url), await openOn(db.url)];
    const applied: string[] = [];
    try {
      await Promise.all([a.migrate((name) => applied.push(name)), b.migrate((name) => applied.push(name))]);
      expect(a).toBeInstanceOf(PostgresStorage);
      expect(applied.filter((name) => name === '001-core')).toHaveLength(1);
      expect(new Set(applied).size).toBe(applied.length);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('lets two replicas create the same new series at once without error or double rows', async () => {
    const [a, b] = [await openOn(db.url), await openOn(db.url)];
    try {
      await a.migrate();
      const series = [seriesOf('cpu_usage_percent', [[1_000, 1]]), seriesOf('load_1m', [[1_000, 2]])];
      const results = await Promise.all([
        a.ingest(batchOf({ agentId: 'twin', seq: 1, series })),
        b.ingest(batchOf({ agentId: 'twin', seq: 2, series: [...series].reverse() })),
      ]);
      expect(results.map((r) => r.duplicate)).toEqual([false, false]);
      const stored = await a.query({
        metric: 'cpu_usage_percent', labels: {}, fromMs: 0, toMs: 10_000, agg: 'avg', maxPoints: 100,
      });
      expect(stored).toHaveLength(1);
      expect(stored[0]?.points).toEqual([[1_000, 1], [1_000, 1]]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('stores concurrent batches of many agents together, failing only a bad one', async () => {
    const storage = await openOn(db.url, 3);
    try {
      await storage.migrate();
      const agents = Array.from({ length: 12 }, (_, i) => `crowd-${i}`);
      const first = (agentId: string) => batchOf({ agentId, series: [seriesOf('crowd_metric', [[1_000, 1]])] });
      await Promise.all(agents.map((agentId) => storage.ingest(first(agentId))));

      const second = agents.map((agentId, i) =>
        batchOf({
          agentId, seq: 2, series: [seriesOf('crowd_metric', [[2_000, 2]])],
          gaps: i === 5 ? [{ fromMs: 2, toMs: 1, batches: 1, reason: 'bad' }] : [],
        }),
      );
      const outcomes = await Promise.all(
        second.map((batch) => storage.ingest(batch).then((r) => r.duplicate, (err: { code: string }) => err.code)),
      );
      expect(outcomes).toEqual(agents.map((_, i) => (i === 5 ? 'batch_invalid' : false)));

      const stored = await storage.query({
        metric: 'crowd_metric', labels: {}, fromMs: 0, toMs: 10_000, agg: 'avg', maxPoints: 100,
      });
      const counts = Object.fromEntries(stored.map((s) => [s.hostId, s.points.length]));
      expect(counts).toEqual(Object.fromEntries(agents.map((agentId, i) => [agentId, i === 5 ? 1 : 2])));
    } finally {
      await storage.close();
    }
  });

  it('answers storage_unavailable, naming the server, when PostgreSQL cannot be reached', async () => {
    const storage = await openOn('postgres://postgres:secret@127.0.0.1:1/nothing');
    try {
      const failure = storage.ping();
      await expect(failure).rejects.toMatchObject({ code: 'storage_unavailable' });
      await expect(storage.ping()).rejects.toThrow(/PostgreSQL at postgres:\/\/\*\*\*@127\.0\.0\.1:1\/nothing is unavailable/);
      await expect(storage.ingest(batchOf({ agentId: 'x' }))).rejects.toMatchObject({ code: 'storage_unavailable' });
    } finally {
      await storage.close();
    }
  });

  it('answers storage_unavailable when the server ends the connections (57P01)', async () => {
    const storage = await openOn(db.url, 1);
    const admin = await openOn(db.url, 1);
    try {
      await storage.ping();
      await (admin as PostgresStorage).pool.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND application_name = 'hostpulse-collector' AND pid <> pg_backend_pid()`,
      );
      // The pool's idle client is gone; the next query either fails as unavailable or, if the
      // pool noticed first, reconnects and succeeds: both are right, a crash is not.
      const outcome = await storage.ping().then(
        () => 'ok',
        (err: { code?: string }) => err.code,
      );
      expect(['ok', 'storage_unavailable']).toContain(outcome);
      await expect(storage.ping()).resolves.toBeUndefined();
    } finally {
      await Promise.all([storage.close(), admin.close()]);
    }
  });
});
