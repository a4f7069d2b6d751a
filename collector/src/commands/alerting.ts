import type { Logger } from '@hostpulse/shared';
import { createAlerting, type AlertingService } from '../alerting/create-alerting.js';
import type { RuleConfig } from '../alerting/rule-config.js';
import type { AlertStore } from '../alerting/store/alert-store.js';
import { createPostgresAlertStore } from '../alerting/store/postgres.js';
import { createSqliteAlertStore } from '../alerting/store/sqlite.js';
import type { CollectorConfig } from '../config.js';
import { createNotifiers, type NotifierConfig } from '../notifiers/index.js';
import type { OpenedStorage } from '../storage/open-storage.js';

/** Alerting over the rules and notifiers of collector.yaml, keeping its state in the same database. */
export function createConfiguredAlerting(config: CollectorConfig, storage: OpenedStorage, log: Logger): AlertingService {
  return createAlerting({
    rules: config.rules as readonly RuleConfig[],
    // Notifiers read their secret files here, so a missing file stops the start, not a 3 a.m. alert.
    notifiers: createNotifiers(config.notifiers as readonly NotifierConfig[], log),
    store: alertStoreFor(storage),
    log,
    publicUrl: config.publicUrl,
  });
}

function alertStoreFor(storage: OpenedStorage): AlertStore {
  return storage.kind === 'postgres' ? createPostgresAlertStore(storage.pool) : createSqliteAlertStore(storage.db);
}
