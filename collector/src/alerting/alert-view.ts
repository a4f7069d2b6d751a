import type { Labels } from '../storage/storage.js';
import { displayState, type AlertRecord, type DisplayState } from './alert-record.js';
import type { CompiledRule } from './compiled-rule.js';
import type { RuleSet } from './rule-set.js';
import type { Severity, ThresholdConfig } from './rule-config.js';
import type { AlertHistory } from './store/alert-store.js';
import { renderSummary } from './summary.js';

// Alerts and rules as the API shows them (docs/api.md). Times are epoch ms, like the rest of
// the API; `state` is what operators see (acknowledged and suppressed included).

export interface AlertView {
  readonly id: string;
  readonly rule: string;
  readonly state: DisplayState;
  readonly severity: Severity | null;
  readonly host: { readonly id: string; readonly name: string };
  readonly labels: Labels;
  readonly value: number;
  readonly summary: string;
  readonly detail: string | null;
  readonly startedMs: number;
  readonly firedMs: number | null;
  readonly endedMs: number | null;
  readonly lastSampleMs: number;
  readonly acknowledgedBy: string | null;
  readonly acknowledgedMs: number | null;
  readonly silenceId: string | null;
}

export interface AlertDetail extends AlertView {
  readonly history: AlertHistory;
}

export interface RuleView {
  readonly name: string;
  readonly builtin: boolean;
  readonly metric: string;
  readonly match: Readonly<Record<string, string>>;
  readonly thresholds: readonly ThresholdConfig[];
  readonly clear: { readonly above?: number; readonly below?: number } | null;
  readonly notify: readonly string[];
  readonly repeatEveryMs: number | null;
  readonly noData: string;
  readonly summary: string | null;
  /** Open alerts of the rule by shown state. */
  readonly alerts: Readonly<Record<'pending' | 'firing' | 'acknowledged' | 'suppressed', number>>;
}

export function alertView(alert: AlertRecord, rules: RuleSet): AlertView {
  const rule = rules.byName.get(alert.rule);
  const summary = renderSummary(rule?.config.summary, {
    rule: alert.rule,
    metric: rule?.config.metric ?? '',
    host: alert.hostName,
    value: alert.value,
    severity: alert.severity ?? 'low',
    labels: alert.labels,
    detail: alert.detail,
  });
  return {
    id: alert.id,
    rule: alert.rule,
    state: displayState(alert),
    severity: alert.severity,
    host: { id: alert.hostId, name: alert.hostName },
    labels: alert.labels,
    value: alert.value,
    summary,
    detail: alert.detail,
    startedMs: alert.startedMs,
    firedMs: alert.firedMs,
    endedMs: alert.endedMs,
    lastSampleMs: alert.lastSampleMs,
    acknowledgedBy: alert.ackedBy,
    acknowledgedMs: alert.ackedMs,
    silenceId: alert.silenceId,
  };
}

export function ruleView(rule: CompiledRule, open: Iterable<AlertRecord>): RuleView {
  const alerts = { pending: 0, firing: 0, acknowledged: 0, suppressed: 0 };
  for (const alert of open) {
    const state = displayState(alert);
    if (alert.rule === rule.config.name && state in alerts) alerts[state as keyof typeof alerts]++;
  }
  const { config } = rule;
  return {
    name: config.name,
    builtin: config.name === 'host-down',
    metric: config.metric,
    match: config.match,
    thresholds: rule.thresholds,
    clear: config.clear ?? null,
    notify: config.notify,
    repeatEveryMs: config.repeatEveryMs ?? null,
    noData: config.noData ?? 'ok',
    summary: config.summary ?? null,
    alerts,
  };
}
