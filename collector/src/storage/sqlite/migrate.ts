import type Database from 'better-sqlite3';
import {
  checkMigrationList,
  pendingNames,
  type Migration,
  type OnMigrationApplied,
} from '../migration.js';

// Each migration in its own IMMEDIATE transaction: it takes the write lock before reading
// schema_migrations, so a second process migrating the same file waits, then skips it.

const CREATE_TABLE = `
CREATE TABLE IF NOT EXISTS schema_migrations (
  name TEXT PRIMARY KEY,
  applied_ms INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL
)`;

export function migrateSqlite(
  db: Database.Database,
  migrations: readonly Migration[],
  onApplied?: OnMigrationApplied,
): void {
  checkMigrationList(migrations);
  for (const migration of migrations) {
    const apply = db.transaction((): number | undefined => {
      db.exec(CREATE_TABLE);
      const done = db.prepare('SELECT 1 FROM schema_migrations WHERE name = ?');
      if (done.get(migration.name)) return undefined;
      const started = performance.now();
      db.exec(migration.sql);
      const durationMs = Math.round(performance.now() - started);
      db.prepare(
        'INSERT INTO schema_migrations (name, applied_ms, duration_ms) VALUES (?, ?, ?)',
      ).run(migration.name, Date.now(), durationMs);
      return durationMs;
    });
    const durationMs = apply.immediate();
    if (durationMs !== undefined) onApplied?.(migration.name, durationMs);
  }
}

/** Migrations not recorded in schema_migrations (all of them in a new file). */
export function pendingSqlite(db: Database.Database, migrations: readonly Migration[]): string[] {
  const table = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    .get();
  if (!table) return pendingNames(migrations, []);
  const rows = db.prepare('SELECT name FROM schema_migrations').all() as { name: string }[];
  return pendingNames(migrations, rows.map((r) => r.name));
}
