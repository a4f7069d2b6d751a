import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createPostgresAlertStore } from '../src/alerting/store/postgres.js';
import { createSqliteAlertStore } from '../src/alerting/store/sqlite.js';
import { postgresMigrations } from '../src/storage/postgres/migrations/index.js';
import { sqliteMigrations } from '../src/storage/sqlite/migrations/index.js';
import { ignoreDropped } from './alerting-stand-ins.js';
import { createTestDatabase } from './helpers/pg.js';

// Migration 003 on a database that already holds alerts from 002: a firing alert keeps its
// state and counts as notified (so its resolution is still sent), a pending one does not.

const ALERT_COLUMNS = `id, rule, host_id, host_name, labels, labels_key, state, severity, value,
  started_ms, fired_ms, ended_ms, last_sample_ms, last_notified_ms, held_since, updated_ms`;
const firing = `('a1', 'cpu-high', 'h1', 'web-1', '{}', '[]', 'firing', 'high', 97,
  1, 2, NULL, 3, 2, '{"high":1}', 3)`;
const pending = `('a2', 'cpu-high', 'h2', 'web-2', '{}', '[]', 'pending', NULL, 90,
  1, NULL, NULL, 3, NULL, '{"high":1}', 3)`;
const insert = `INSERT INTO alerts (${ALERT_COLUMNS}) VALUES ${firing}, ${pending}`;

describe('migration 003-alert-operations on alerts of 002', () => {
  it('on SQLite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hostpulse-upgrade-'));
    const db = new Database(join(dir, 'collector.db'));
    try {
      for (const migration of sqliteMigrations.slice(0, 2)) db.exec(migration.sql);
      db.exec(insert);
      db.exec((sqliteMigrations[2] as { sql: string }).sql);
      const { open } = await createSqliteAlertStore(db).load();
      const byId = Object.fromEntries(open.map((a) => [a.id, a]));
      expect(byId.a1).toMatchObject({ state: 'firing', notifiedSeverity: 'high', ackedMs: null });
      expect(byId.a2).toMatchObject({ state: 'pending', notifiedSeverity: null, silenceId: null });
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('on PostgreSQL', async () => {
    const database = await createTestDatabase();
    const pool = new pg.Pool({ connectionString: database.url, max: 2 });
    pool.on('error', ignoreDropped);
    try {
      for (const migration of postgresMigrations.slice(0, 2)) await pool.query(migration.sql);
      await pool.query(insert);
      await pool.query((postgresMigrations[2] as { sql: string }).sql);
      const { open } = await createPostgresAlertStore(pool).load();
      const byId = Object.fromEntries(open.map((a) => [a.id, a]));
      expect(byId.a1).toMatchObject({ state: 'firing', notifiedSeverity: 'high', ackedMs: null });
      expect(byId.a2).toMatchObject({ state: 'pending', notifiedSeverity: null, silenceId: null });
    } finally {
      await pool.end();
      await database.drop();
    }
  });
});
