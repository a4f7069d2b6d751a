import type { DeliveryResult, Notifier } from '../notifiers/notifier.js';
import type { CollectorMetrics } from './collector-metrics.js';

// Counts delivery attempts by notifier and outcome by wrapping each notifier, so neither the
// notifiers nor the outbox worker need to know about metrics.

export type DeliveryOutcome = 'sent' | 'failed' | 'rate_limited' | 'refused';

export function deliveryOutcome(result: DeliveryResult): DeliveryOutcome {
  if (result.ok) return 'sent';
  if (result.retryAfterMs !== undefined) return 'rate_limited';
  // The other side said no for good (a 404 webhook): retrying will not help, someone must look.
  return result.permanent ? 'refused' : 'failed';
}

export function countNotifications(
  notifiers: ReadonlyMap<string, Notifier>,
  metrics: CollectorMetrics,
): Map<string, Notifier> {
  const counted = new Map<string, Notifier>();
  for (const [name, notifier] of notifiers) {
    const outcomes: DeliveryOutcome[] = ['sent', 'failed', 'rate_limited', 'refused'];
    metrics.notifications.init(outcomes.map((outcome) => ({ notifier: name, outcome })));
    counted.set(name, {
      name: notifier.name,
      type: notifier.type,
      close: () => notifier.close(),
      send: async (notification, signal) => {
        try {
          const result = await notifier.send(notification, signal);
          metrics.notifications.inc({ notifier: name, outcome: deliveryOutcome(result) });
          return result;
        } catch (err) {
          metrics.notifications.inc({ notifier: name, outcome: 'failed' });
          throw err;
        }
      },
    });
  }
  return counted;
}
