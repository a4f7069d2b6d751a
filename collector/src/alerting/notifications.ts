import type { AlertNotification, NotificationKind } from '../notifiers/notifier.js';
import type { AlertRecord, OutboxRow } from './alert-record.js';
import type { CompiledRule } from './compiled-rule.js';
import { formatValue, renderSummary } from './summary.js';

// Turns one decision to notify into one outbox row per notifier of the rule. The payload holds
// the rendered notification, so delivery after a restart needs neither the rule nor the config.

export interface OutboxContext {
  readonly nowMs: number;
  readonly publicUrl?: string | undefined;
  newId(): string;
}

export function outboxRowsFor(
  rule: CompiledRule,
  alert: AlertRecord,
  kind: NotificationKind,
  ctx: OutboxContext,
): OutboxRow[] {
  const payload = notificationOf(rule, alert, kind, ctx.publicUrl);
  return rule.config.notify.map((notifier) => ({
    id: ctx.newId(),
    alertId: alert.id,
    notifier,
    kind,
    payload,
    createdMs: ctx.nowMs,
    dueMs: ctx.nowMs,
    attempts: 0,
    state: 'pending',
    lastError: null,
  }));
}

export function notificationOf(
  rule: CompiledRule,
  alert: AlertRecord,
  kind: NotificationKind,
  publicUrl?: string,
): AlertNotification {
  // A resolved alert keeps the severity it fired with; pending never notifies, so it is set.
  const severity = alert.severity ?? 'low';
  const summary = renderSummary(rule.config.summary, {
    rule: rule.config.name,
    metric: rule.config.metric,
    host: alert.hostName,
    value: alert.value,
    severity,
    labels: alert.labels,
    detail: kind === 'resolved' ? null : alert.detail,
  });
  const base = publicUrl?.replace(/\/+$/, '');
  return {
    kind,
    alertId: alert.id,
    rule: rule.config.name,
    metric: rule.config.metric,
    hostId: alert.hostId,
    hostName: alert.hostName,
    labels: alert.labels,
    severity,
    value: alert.value,
    threshold: thresholdOf(rule, severity),
    summary,
    sinceMs: alert.firedMs ?? alert.startedMs,
    atMs: alert.endedMs ?? alert.lastSampleMs,
    url: base ? `${base}/alerts/${encodeURIComponent(alert.id)}` : undefined,
  };
}

/** The condition of the severity the alert fires with, as people write it: `> 85`. */
function thresholdOf(rule: CompiledRule, severity: string): string | undefined {
  const t = rule.thresholds.find((x) => x.severity === severity);
  if (t?.above !== undefined) return `> ${formatValue(t.above)}`;
  if (t?.below !== undefined) return `< ${formatValue(t.below)}`;
  return undefined;
}
