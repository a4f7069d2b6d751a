import { isHostpulseError, type Logger } from '@hostpulse/shared';
import { createAlerting, type AlertingService } from '../alerting/create-alerting.js';
import type { RuleConfig } from '../alerting/rule-config.js';
import { createAlertStore } from '../alerting/store/open-alert-store.js';
import { loadCollectorConfig, type CollectorConfig } from '../config.js';
import type { Notifier } from '../notifiers/notifier.js';
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
  const counted = (named: ReadonlyMap<string, Notifier>) =>
    metrics ? countNotifications(named, metrics) : named;
  const alerting = createAlerting({
    rules: config.rules as readonly RuleConfig[],
    notifiers: counted(notifiers),
    store: createAlertStore(storage),
    log,
    publicUrl: config.publicUrl,
    hostDownAfterMs: config.hostDownAfterMs,
    hosts: () => storage.listHosts(),
  });
  // The notifiers a SIGHUP brings are counted like those of the start, or their deliveries
  // would go unseen in hostpulse_notifications_total.
  const reload: AlertingService['reload'] = (rules, next) => alerting.reload(rules, counted(next));
  return { ...alerting, reload };
}

/**
 * SIGHUP: reads collector.yaml again and swaps in its rules and notifiers. A file that does
 * not load, or a notifier whose secret cannot be read, is refused and logged; the running
 * rules carry on. Other keys (listen, database, …) take effect only on restart.
 */
export async function reloadAlerting(
  alerting: AlertingService,
  configFile: string,
  log: Logger,
): Promise<boolean> {
  let config: CollectorConfig;
  let notifiers: Map<string, Notifier>;
  try {
    config = loadCollectorConfig(configFile, process.env);
    notifiers = createNotifiers(config.notifiers as readonly NotifierConfig[], log);
  } catch (err) {
    const problems = isHostpulseError(err, 'config_invalid') ? err.details.problems : undefined;
    log.error({ err, problems, configFile }, 'reload refused, the running rules carry on');
    return false;
  }
  await alerting.reload(config.rules as readonly RuleConfig[], notifiers);
  return true;
}
