import type { AlertRecord } from './alert-record.js';
import type { WatchedSeries } from './alert-book.js';
import type { CompiledRule } from './compiled-rule.js';

// What a rule's `no_data:` does to a series that stopped arriving while its host still sends
// (ticker.ts decides that it stopped). Pure; the result goes through AlertBook.commit().
//
// - ok:    the open alert ends (resolved if it fired, inactive if pending): no data, no problem.
// - alert: the alert fires at the rule's most severe level, saying since when data is missing.
// - keep:  nothing changes; the alert stays as the last point left it.

export function noDataDetail(series: WatchedSeries): string {
  return `no data since ${new Date(series.lastSampleMs).toISOString()}`;
}

export function applyNoData(
  rule: CompiledRule,
  open: AlertRecord | undefined,
  series: WatchedSeries,
  nowMs: number,
  newId: () => string,
): AlertRecord | undefined {
  const policy = rule.config.noData ?? 'ok';
  const detail = noDataDetail(series);
  if (policy === 'keep') return undefined;
  if (policy === 'ok') {
    if (!open) return undefined;
    const state = open.state === 'firing' ? 'resolved' : 'inactive';
    const endedMs = series.lastSampleMs;
    return { ...open, state, endedMs, heldSince: {}, detail, updatedMs: nowMs };
  }
  const severity = rule.thresholds[0]?.severity ?? 'critical';
  if (open?.state === 'firing') return { ...open, detail, updatedMs: nowMs };
  const base: AlertRecord = open ?? {
    id: newId(),
    rule: rule.config.name,
    hostId: series.hostId,
    hostName: series.hostName,
    labels: series.labels,
    labelsKey: series.labelsKey,
    state: 'pending',
    severity: null,
    value: series.lastValue,
    startedMs: series.lastSampleMs,
    firedMs: null,
    endedMs: null,
    lastSampleMs: series.lastSampleMs,
    lastNotifiedMs: null,
    heldSince: {},
    updatedMs: nowMs,
    detail,
    notifiedSeverity: null,
    easedSinceMs: null,
    ackedMs: null,
    ackedBy: null,
    silenceId: null,
  };
  return { ...base, state: 'firing', severity, firedMs: nowMs, detail, updatedMs: nowMs };
}
