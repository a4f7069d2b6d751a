import type { OutgoingNotification } from './notifier.js';

// The JSON body of the webhook notifier, documented in docs/alerts.md ("Webhook body"). Keys
// are snake_case like the rest of the public API; times are RFC 3339 and epoch milliseconds.
// `sent_at_ms` is inside the signed body, so a receiver can refuse replays of an old body.

export const WEBHOOK_BODY_VERSION = 1;

export function webhookBody(group: readonly OutgoingNotification[], sentAtMs: number): string {
  return JSON.stringify({
    version: WEBHOOK_BODY_VERSION,
    sent_at: new Date(sentAtMs).toISOString(),
    sent_at_ms: sentAtMs,
    notifications: group.map((n) => ({
      id: n.id,
      kind: n.kind,
      alert_id: n.alertId,
      rule: n.rule,
      metric: n.metric,
      host_id: n.hostId,
      host: n.hostName,
      labels: n.labels,
      severity: n.severity,
      value: n.value,
      threshold: n.threshold ?? null,
      summary: n.summary,
      since: new Date(n.sinceMs).toISOString(),
      at: new Date(n.atMs).toISOString(),
      url: n.url ?? null,
    })),
  });
}
