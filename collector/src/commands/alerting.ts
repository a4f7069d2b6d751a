import type { Logger } from '@hostpulse/shared';
import { createAlerting, type AlertingService } from '../alerting/create-alerting.js';
import type { RuleConfig } from '../alerting/rule-config.js';
import { createAlertStore } from '../alerting/store/open-alert-store.js';
import type { CollectorConfig } from '../config.js';
import { createNotifiers, type NotifierConfig } from '../notifiers/index.js';
import type { CollectorMetrics } from '../self-metrics/collector-metrics.js';
import { countNotifications } from '../self-metrics/count-notifications.js';
import type { Storage } from '../storage/storage.js';

/** Alerting over the rules and notifiers of collector.yaml, its state in the same database. */
export function createConfiguredAlerting(
  config: CollectorConfig,
  storage: Storage,
  log: Logger,
  metrics?: CollectorMetrics,
): AlertingService {
  // Notifiers read their secret files here: a missing file stops the start, not a 3 a.m. alert.
  const notifiers = createNotifiers(config.notifiers as readonly NotifierConfig[], log);
  return createAlerting({
    rules: config.rules as readonly RuleConfig[],
    notifiers: metrics ? countNotifications(notifiers, metrics) : notifiers,
    store: createAlertStore(storage),
    log,
    publicUrl: config.publicUrl,
  });
}
