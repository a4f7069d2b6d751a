import type pg from 'pg';
import { inTransaction } from './transaction.js';
import {
  checkMigrationList,
  pendingNames,
  type Migration,
  type OnMigrationApplied,
} from '../migration.js';

// Each migration runs in its own transaction under a transaction-level advisory lock, so two
// collectors starting together apply each migration once: the second waits for the lock, then
// finds the name already recorded and moves on.

/** An arbitrary constant that other applications on the same database are unlikely to use. */
const MIGRATION_LOCK_KEY = 0x68_70_6d_67; // "hpmg"

const CREATE_TABLE = `
CREATE TABLE IF NOT EXISTS schema_migrations (
  name text PRIMARY KEY,
  applied_ms bigint NOT NULL,
  duration_ms integer NOT NULL
)`;

export async function migratePostgres(
  pool: pg.Pool,
  migrations: readonly Migration[],
  onApplied?: OnMigrationApplied,
): Promise<void> {
  checkMigrationList(migrations);
  for (const migration of migrations) {
    const durationMs = await applyOnce(pool, migration);
    if (durationMs !== undefined) onApplied?.(migration.name, durationMs);
  }
}

/** Applies one migration unless recorded; returns its duration when it ran. */
function applyOnce(pool: pg.Pool, migration: Migration): Promise<number | undefined> {
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(CREATE_TABLE);
    const sql = 'SELECT 1 FROM schema_migrations WHERE name = $1';
    const done = await client.query(sql, [migration.name]);
    if (done.rowCount) return undefined;

    const started = performance.now();
    await client.query(migration.sql);
    const durationMs = Math.round(performance.now() - started);
    await client.query(
      'INSERT INTO schema_migrations (name, applied_ms, duration_ms) VALUES ($1, $2, $3)',
      [migration.name, Date.now(), durationMs],
    );
    return durationMs;
  });
}

/** Migrations not recorded in schema_migrations (all of them on an empty database). */
export async function pendingPostgres(
  pool: pg.Pool,
  migrations: readonly Migration[],
): Promise<string[]> {
  const table = await pool.query("SELECT to_regclass('schema_migrations') AS t");
  if (table.rows[0]?.t === null) return pendingNames(migrations, []);
  const done = await pool.query<{ name: string }>('SELECT name FROM schema_migrations');
  return pendingNames(migrations, done.rows.map((r) => r.name));
}
