import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { HostpulseError, safeUrl, type Logger } from '@hostpulse/shared';
import type { StoragePolicy } from './policy.js';
import { PostgresStorage } from './postgres/postgres-storage.js';
import { SqliteStorage } from './sqlite/sqlite-storage.js';

export interface OpenStorageOptions {
  /** postgres://…; when absent, the embedded SQLite file in dataDir. */
  readonly databaseUrl?: string | undefined;
  readonly poolMax: number;
  readonly dataDir: string;
  readonly log: Logger;
  /** The clock for token times; tests pass their own. */
  readonly now?: () => number;
  /** Retention and series limit; DEFAULT_STORAGE_POLICY when absent. */
  readonly policy?: StoragePolicy;
}

/** Either backend; `kind` tells which, for parts that add their own tables (alerting). */
export type OpenedStorage = PostgresStorage | SqliteStorage;

export const EMBEDDED_DATABASE_FILE = 'hostpulse.db';

/**
 * Opens the configured storage without touching the schema: callers run migrate() (the
 * `migrate` command, or the server at start). PostgreSQL connects lazily, on the first query.
 */
export async function openStorage(options: OpenStorageOptions): Promise<OpenedStorage> {
  const common = {
    log: options.log,
    ...(options.now ? { now: options.now } : {}),
    ...(options.policy ? { policy: options.policy } : {}),
  };
  if (options.databaseUrl) {
    options.log.info({ database: safeUrl(options.databaseUrl), poolMax: options.poolMax }, 'using PostgreSQL');
    return new PostgresStorage({ databaseUrl: options.databaseUrl, poolMax: options.poolMax, ...common });
  }

  const path = join(options.dataDir, EMBEDDED_DATABASE_FILE);
  try {
    mkdirSync(options.dataDir, { recursive: true });
  } catch (err) {
    throw new HostpulseError('storage_unavailable', `cannot create data_dir ${options.dataDir}`, {}, { cause: err });
  }
  options.log.info({ path }, 'using the embedded database');
  return new SqliteStorage({ path, ...common });
}
