import { HostpulseError, quote } from '@hostpulse/shared';

/**
 * One schema change. `name` starts with its zero-padded version ("001-core"); migrations run in
 * that order, each in its own transaction, and schema_migrations records the names applied.
 */
export interface Migration {
  readonly name: string;
  readonly sql: string;
}

export type OnMigrationApplied = (name: string, durationMs: number) => void;

const NAME = /^\d{3}-[a-z0-9-]+$/;

/** Refuses a list that is misnamed, repeats a version or is out of order: a coding mistake. */
export function checkMigrationList(migrations: readonly Migration[]): void {
  let previous = '';
  for (const migration of migrations) {
    if (!NAME.test(migration.name)) {
      throw new HostpulseError('internal', `migration name ${quote(migration.name)} must look like 002-alerts`);
    }
    if (migration.name.slice(0, 3) <= previous.slice(0, 3)) {
      throw new HostpulseError(
        'internal',
        `migration ${quote(migration.name)} comes after ${quote(previous)}: versions must grow`,
      );
    }
    previous = migration.name;
  }
}

/** The names of `migrations` not among `applied`, in the order they run. */
export function pendingNames(
  migrations: readonly Migration[],
  applied: Iterable<string>,
): string[] {
  const done = new Set(applied);
  return migrations.map((m) => m.name).filter((name) => !done.has(name));
}
