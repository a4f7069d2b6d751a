import type { Labels } from '../storage/storage.js';
import type { NotificationKind } from '../notifiers/notifier.js';
import type { AlertRecord, AlertStateName, TransitionRecord } from './alert-record.js';
import { rank, type CompiledRule } from './compiled-rule.js';
import type { Severity } from './rule-config.js';

// The alert state machine for one (rule, host, label set), as a pure function of the open alert
// and one new point. Every time here is sample time, so `for:` means "held across samples
// spanning this long", whatever the delay of their delivery.
//
//   (none) --a threshold holds--> pending --held for its `for`--> firing --cleared--> resolved
//   pending --no threshold holds--> inactive          firing --higher severity held--> firing (escalated)
//
// With `for: 0` an alert goes straight to firing. While firing, the severity only rises; with
// `clear:` set, values between the clear level and the threshold keep it firing (hysteresis).

export interface SeriesPoint {
  readonly hostId: string;
  readonly hostName: string;
  readonly labels: Labels;
  readonly labelsKey: string;
  readonly timeMs: number;
  readonly value: number;
}

export interface Decision {
  readonly alert: AlertRecord;
  readonly transition?: TransitionRecord | undefined;
  readonly notify?: NotificationKind | undefined;
  /** False when only the newest value and sample time moved: kept in memory, not written. */
  readonly store: boolean;
}

export interface EvaluationContext {
  readonly nowMs: number;
  newId(): string;
}

export function evaluate(rule: CompiledRule, open: AlertRecord | undefined, point: SeriesPoint, ctx: EvaluationContext): Decision | undefined {
  const heldSince = heldSinceAfter(rule, open, point);
  const top = topEligible(rule, heldSince, point.timeMs);
  if (!open) {
    if (Object.keys(heldSince).length === 0) return undefined;
    return change(opened(rule, point, heldSince, ctx), null, top ? 'firing' : 'pending', point, ctx, { top, heldSince });
  }
  if (open.state === 'pending') {
    if (Object.keys(heldSince).length === 0) return change(open, open.state, 'inactive', point, ctx, { top, heldSince: {} });
    if (top) return change(open, open.state, 'firing', point, ctx, { top, heldSince });
    return quiet(open, point, heldSince, ctx);
  }
  if (rule.isCleared(point.value)) return change(open, open.state, 'resolved', point, ctx, { top: undefined, heldSince: {} });
  if (top && open.severity && rank(top) > rank(open.severity)) {
    return change(open, open.state, 'firing', point, ctx, { top, heldSince, escalated: true });
  }
  const repeatMs = rule.config.repeatEveryMs;
  if (repeatMs && open.lastNotifiedMs !== null && point.timeMs - open.lastNotifiedMs >= repeatMs) {
    const alert = { ...quiet(open, point, heldSince, ctx).alert, lastNotifiedMs: point.timeMs };
    return { alert, notify: 'repeat', store: true };
  }
  return quiet(open, point, heldSince, ctx);
}

/** Each holding threshold keeps the time it began to hold; one that stops holding is dropped. */
function heldSinceAfter(rule: CompiledRule, open: AlertRecord | undefined, point: SeriesPoint): Partial<Record<Severity, number>> {
  const held: Partial<Record<Severity, number>> = {};
  for (const t of rule.thresholds) {
    if (rule.holds(t, point.value)) held[t.severity] = open?.heldSince[t.severity] ?? point.timeMs;
  }
  return held;
}

function topEligible(rule: CompiledRule, held: Partial<Record<Severity, number>>, timeMs: number): Severity | undefined {
  const eligible = rule.thresholds.find((t) => {
    const since = held[t.severity];
    return since !== undefined && timeMs - since >= t.forMs;
  });
  return eligible?.severity;
}

function opened(rule: CompiledRule, point: SeriesPoint, heldSince: Partial<Record<Severity, number>>, ctx: EvaluationContext): AlertRecord {
  return {
    id: ctx.newId(),
    rule: rule.config.name,
    hostId: point.hostId,
    hostName: point.hostName,
    labels: point.labels,
    labelsKey: point.labelsKey,
    state: 'pending',
    severity: null,
    value: point.value,
    startedMs: Math.min(...Object.values(heldSince)),
    firedMs: null,
    endedMs: null,
    lastSampleMs: point.timeMs,
    lastNotifiedMs: null,
    heldSince,
    updatedMs: ctx.nowMs,
  };
}

interface ChangeDetail {
  readonly top: Severity | undefined;
  readonly heldSince: Partial<Record<Severity, number>>;
  readonly escalated?: boolean;
}

function change(
  before: AlertRecord,
  from: AlertStateName | null,
  to: AlertStateName,
  point: SeriesPoint,
  ctx: EvaluationContext,
  detail: ChangeDetail,
): Decision {
  const firing = to === 'firing';
  const alert: AlertRecord = {
    ...before,
    hostName: point.hostName,
    state: to,
    severity: firing ? (detail.top ?? before.severity) : before.severity,
    value: point.value,
    firedMs: firing && before.firedMs === null ? point.timeMs : before.firedMs,
    endedMs: to === 'resolved' || to === 'inactive' ? point.timeMs : null,
    lastSampleMs: point.timeMs,
    lastNotifiedMs: firing || to === 'resolved' ? point.timeMs : before.lastNotifiedMs,
    heldSince: detail.heldSince,
    updatedMs: ctx.nowMs,
  };
  const transition: TransitionRecord = {
    alertId: alert.id,
    from,
    to,
    severity: alert.severity,
    value: point.value,
    sampleMs: point.timeMs,
    recordedMs: ctx.nowMs,
  };
  const notify: NotificationKind | undefined = detail.escalated ? 'escalated' : firing ? 'firing' : to === 'resolved' ? 'resolved' : undefined;
  return { alert, transition, notify, store: true };
}

function quiet(open: AlertRecord, point: SeriesPoint, heldSince: Partial<Record<Severity, number>>, ctx: EvaluationContext): Decision {
  const heldChanged = !sameKeys(open.heldSince, heldSince);
  const alert: AlertRecord = { ...open, value: point.value, lastSampleMs: point.timeMs, heldSince, updatedMs: heldChanged ? ctx.nowMs : open.updatedMs };
  return { alert, store: heldChanged };
}

function sameKeys(a: object, b: object): boolean {
  const ka = Object.keys(a).sort().join();
  return ka === Object.keys(b).sort().join();
}

/**
 * Ends an open alert whose rule is gone from the config or no longer matches its series: no
 * point will ever clear it. Nobody is notified (the rule's notify list may be gone too).
 */
export function retire(open: AlertRecord, ctx: EvaluationContext): Decision {
  const to: AlertStateName = open.state === 'firing' ? 'resolved' : 'inactive';
  const alert: AlertRecord = { ...open, state: to, endedMs: open.lastSampleMs, heldSince: {}, updatedMs: ctx.nowMs };
  const transition: TransitionRecord = {
    alertId: open.id,
    from: open.state,
    to,
    severity: open.severity,
    value: open.value,
    sampleMs: open.lastSampleMs,
    recordedMs: ctx.nowMs,
  };
  return { alert, transition, store: true };
}
