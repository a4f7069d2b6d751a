import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '@hostpulse/shared';
import { openStorage } from '../src/storage/open-storage.js';
import type { StoragePolicy } from '../src/storage/policy.js';
import { migrateSqlite } from '../src/storage/sqlite/migrate.js';
import { sqliteMigrations } from '../src/storage/sqlite/migrations/index.js';
import { SqliteStorage } from '../src/storage/sqlite/sqlite-storage.js';
import { expected, expectPoints, registerMaintenanceSuite } from './storage-maintenance.suite.js';
import { batchOf, registerStorageSuite, seriesOf } from './storage.suite.js';

// The embedded store, on a real SQLite file in a temporary folder.

async function openTemp(policy?: StoragePolicy) {
  const dir = mkdtempSync(join(tmpdir(), 'hostpulse-storage-'));
  const storage = await openStorage({ poolMax: 1, dataDir: join(dir, 'data'), log: silentLogger(), policy });
  return {
    storage,
    dir,
    close: async () => {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

registerStorageSuite('SQLite', () => openTemp());
registerMaintenanceSuite('SQLite', openTemp);

describe('embedded storage specifics', () => {
  it('opens <dataDir>/hostpulse.db in WAL mode, creating the folder', async () => {
    const opened = await openTemp();
    try {
      expect(opened.storage).toBeInstanceOf(SqliteStorage);
      const sqlite = opened.storage as SqliteStorage;
      expect(sqlite.path).toBe(join(opened.dir, 'data', 'hostpulse.db'));
      expect(existsSync(sqlite.path)).toBe(true);
      expect(sqlite.db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      await opened.close();
    }
  });

  it('keeps what was stored across a close and a reopen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hostpulse-storage-'));
    try {
      const first = await openStorage({ poolMax: 1, dataDir: dir, log: silentLogger() });
      await first.migrate();
      await first.ingest(batchOf({ agentId: 'a1', series: [seriesOf('load_1m', [[1_000, 1]])] }));
      await first.close();

      const second = await openStorage({ poolMax: 1, dataDir: dir, log: silentLogger() });
      const applied: string[] = [];
      await second.migrate((name) => applied.push(name));
      expect(applied).toEqual([]);
      expect((await second.latest('a1')).map((v) => v.value)).toEqual([1]);
      expect((await second.ingest(batchOf({ agentId: 'a1', series: [] }))).duplicate).toBe(true);
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps the keys stored before migration 009, under the day they were received', async () => {
    const opened = await openTemp();
    try {
      const sqlite = opened.storage as SqliteStorage;
      migrateSqlite(sqlite.db, sqliteMigrations.filter((m) => m.name < '009'));
      const received = 1_689_984_000_000 + 3_600_000;
      sqlite.db
        .prepare('INSERT INTO batches (agent_id, incarnation, seq, received_ms, samples) VALUES (?, ?, ?, ?, ?)')
        .run('before', 'inc-1', 1, received, 1);
      await sqlite.migrate();

      expect(sqlite.db.prepare('SELECT batch_day_ms, received_ms FROM batches').all()).toEqual([
        { batch_day_ms: 1_689_984_000_000, received_ms: received },
      ]);
      const resend = batchOf({ agentId: 'before', series: [seriesOf('upgraded', [[received - 10_000, 1]])] });
      expect((await sqlite.ingest(resend)).duplicate).toBe(true);
    } finally {
      await opened.close();
    }
  });

  // The embedded store recomputes a bucket's rollup from its raw samples, so it cannot take in
  // late samples where retention has dropped raw samples, even some of them: that bucket keeps
  // its rollup, in answers before the next rollup run and after it (PostgreSQL merges them in).
  it('keeps the rollup of a bucket whose raw samples retention dropped when late samples land in it', async () => {
    const MIN = 60_000;
    const HOUR = 60 * MIN;
    const DAY = 24 * HOUR;
    const B = 1_689_984_000_000;
    const policy = { rawRetentionMs: 2 * DAY, rollupRetentionMs: 400 * DAY, batchKeyRetentionMs: 8 * DAY, seriesPerHost: 10 };
    const opened = await openTemp(policy);
    try {
      const { storage } = opened;
      await storage.migrate();
      const day: [number, number][] = Array.from({ length: 24 * 60 }, (_, i) => [B + i * MIN, ((i * 7) % 13) + 0.5]);
      await storage.ingest(batchOf({ agentId: 'old', receivedMs: B + DAY, series: [seriesOf('aged', day)] }));
      await storage.rollUp(B + DAY + 10 * MIN);
      // Raw samples before 12:02:30 go, so the bucket at 12:00 keeps 2 of its 5.
      const now = B + 2 * DAY + 12 * HOUR + 2 * MIN + 30_000;
      await storage.applyRetention(now);

      const gone: [number, number] = [B + 3 * HOUR + MIN + 1, 1_000];
      const cut: [number, number] = [B + 12 * HOUR + 4 * MIN + 30_000, 1_000];
      const whole: [number, number] = [B + 13 * HOUR + MIN + 1, 1_000];
      await storage.ingest(batchOf({ agentId: 'old', seq: 2, receivedMs: now, series: [seriesOf('aged', [gone, cut, whole])] }));

      const counted = [...day, whole];
      const [from, to] = [B, B + DAY];
      const check = async () => {
        for (const stepMs of [HOUR, 5 * MIN]) {
          for (const agg of ['avg', 'min', 'max', 'last'] as const) {
            const result = await storage.query({ metric: 'aged', labels: {}, fromMs: from, toMs: to, stepMs, agg, maxPoints: 1_000 });
            expectPoints(result[0]?.points, expected(counted, from, to, stepMs, agg));
          }
        }
      };
      await check();
      // A run a minute later, its retention.raw limit still in the 12:00 bucket, recomputes only
      // the buckets from 12:05 to 13:05: 60 samples and the late one.
      expect((await storage.rollUp(now + MIN)).rolledSamples).toBe(61);
      await check();
      await storage.applyRetention(now + HOUR);
      await check();
    } finally {
      await opened.close();
    }
  });

  it('answers storage_unavailable once closed', async () => {
    const opened = await openTemp();
    await opened.close();
    await expect(opened.storage.ping()).rejects.toMatchObject({ code: 'storage_unavailable' });
  });
});
