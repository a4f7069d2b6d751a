import { HostpulseError, type Logger } from '@hostpulse/shared';
import type { CollectorConfig } from '../config.js';
import { openStorage, type OpenedStorage } from '../storage/open-storage.js';
import type { StoragePolicy } from '../storage/policy.js';

/** PostgreSQL when database.url (or DATABASE_URL) is set, else the embedded store in data_dir. */
export function openConfiguredStorage(
  config: CollectorConfig,
  log: Logger,
): Promise<OpenedStorage> {
  return openStorage({
    databaseUrl: config.database.url,
    poolMax: config.database.poolMax,
    dataDir: config.dataDir,
    log: log.child({ component: 'storage' }),
    policy: storagePolicyOf(config),
  });
}

/** retention.* and limits.series_per_host, as storage takes them. */
export function storagePolicyOf(config: CollectorConfig): StoragePolicy {
  return {
    rawRetentionMs: config.retention.rawMs,
    rollupRetentionMs: config.retention.rollupMs,
    batchKeyRetentionMs: config.retention.batchKeysMs,
    seriesPerHost: config.limits.seriesPerHost,
  };
}

/**
 * Makes sure the schema is this build's. The embedded store of a small install migrates itself
 * (nobody runs `migrate` for a file they never created); PostgreSQL is shared by replicas and
 * owned by an operator, so a schema that is behind stops the command with what to run.
 */
export async function requireCurrentSchema(
  storage: OpenedStorage,
  config: CollectorConfig,
  log: Logger,
): Promise<void> {
  const pending = await storage.pendingMigrations();
  if (pending.length === 0) return;
  if (config.database.url === undefined) {
    const report = (name: string, durationMs: number) => {
      log.info({ migration: name, durationMs }, 'migration applied');
    };
    await storage.migrate(report);
    return;
  }
  const message =
    `the database schema is behind this collector (pending: ${pending.join(', ')}); ` +
    'run `hostpulse-collector migrate` with the same configuration first';
  throw new HostpulseError('storage_unavailable', message, { pending });
}

/**
 * Runs `work` with an open storage whose schema is current (see requireCurrentSchema) and closes
 * it afterwards, whatever happened. `migrate` itself passes `schema: 'any'`.
 */
export async function withStorage<T>(
  config: CollectorConfig,
  log: Logger,
  work: (storage: OpenedStorage) => Promise<T>,
  schema: 'current' | 'any' = 'current',
): Promise<T> {
  const storage = await openConfiguredStorage(config, log);
  try {
    if (schema === 'current') await requireCurrentSchema(storage, config, log);
    return await work(storage);
  } finally {
    await storage.close();
  }
}
