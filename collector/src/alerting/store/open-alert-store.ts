import { HostpulseError } from '@hostpulse/shared';
import type { Storage } from '../../storage/storage.js';
import { PostgresStorage } from '../../storage/postgres/postgres-storage.js';
import { SqliteStorage } from '../../storage/sqlite/sqlite-storage.js';
import type { AlertStore } from './alert-store.js';
import { createPostgresAlertStore } from './postgres.js';
import { createSqliteAlertStore } from './sqlite.js';

/**
 * The alert store on the same database as the storage layer: its pg pool or its SQLite handle,
 * which the storage owns and closes. Tables come from migrations 002 and 003, run by migrate().
 */
export function createAlertStore(storage: Storage): AlertStore {
  if (storage instanceof PostgresStorage) return createPostgresAlertStore(storage.pool);
  if (storage instanceof SqliteStorage) return createSqliteAlertStore(storage.db);
  const kind = storage.constructor.name;
  throw new HostpulseError('internal', `alerting cannot use storage of type ${kind}`);
}
