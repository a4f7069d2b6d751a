import type { Logger } from '@hostpulse/shared';
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
    seriesPerHost: config.limits.seriesPerHost,
  };
}

/** Runs `work` with an open storage and closes it afterwards, whatever happened. */
export async function withStorage<T>(
  config: CollectorConfig,
  log: Logger,
  work: (storage: OpenedStorage) => Promise<T>,
): Promise<T> {
  const storage = await openConfiguredStorage(config, log);
  try {
    return await work(storage);
  } finally {
    await storage.close();
  }
}
