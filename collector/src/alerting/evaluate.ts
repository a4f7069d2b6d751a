import type { Labels } from '../storage/storage.js';
import type { NotificationKind } from '../notifiers/notifier.js';
import type { AlertRecord, AlertStateName, TransitionRecord } from './alert-record.js';
import { rank, type CompiledRule } from './compiled-rule.js';
import type { Severity } from './rule-config.js';

// The alert state machine for one (rule, host, label set), as a pure function of the open
// alert and one new point. Every time here is sample time, so `for:` means "held across samples
// spanning this long", whatever the delay of their delivery.
//
//   (none) --a threshold holds--> pending --held for its `for`--> firing --cleared--> resolved
//   pending --no threshold holds--> inactive
//   firing --a higher severity held for its `for`--> firing (escalated)
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

type Held = Partial<Record<Severity, number>>;

export function evaluate(
  rule: CompiledRule,
  open: AlertRecord | undefined,
  point: SeriesPoint,
  ctx: EvaluationContext,
): Decision | undefined {
  const held = heldAfter(rule, open, point);
  const top = topEligible(rule, held, point.timeMs);
  const holds = Object.keys(held).length > 0;
  if (!open) {
    if (!holds) return undefined;
    return change(opened(rule, point, held, ctx), null, top ? 'firing' : 'pending', point, ctx, {
      top,
      held,
    });
  }
  if (open.state === 'pending') {
    if (!holds) return change(open, open.state, 'inactive', point, ctx, { top, held: {} });
    if (top) return change(open, open.state, 'firing', point, ctx, { top, held });
    return quiet(open, point, held, ctx);
  }
  if (rule.isCleared(point.value)) {
    return change(open, open.state, 'resolved', point, ctx, { top: undefined, held: {} });
  }
  if (top && open.severity && rank(top) > rank(open.severity)) {
    return change(open, open.state, 'firing', point, ctx, { top, held, escalated: true });
  }
  const repeatMs = rule.config.repeatEveryMs;
  const lastMs = open.lastNotifiedMs;
  if (repeatMs && lastMs !== null && point.timeMs - lastMs >= repeatMs) {
    const alert = { ...quiet(open, point, held, ctx).alert, lastNotifiedMs: point.timeMs };
    return { alert, notify: 'repeat', store: true };
  }
  return quiet(open, point, held, ctx);
}

/**
 * Ends an open alert whose rule is gone from the config or no longer matches its series: no
 * point will ever clear it. Nobody is notified (the rule's notify list may be gone too).
 */
export function retire(open: AlertRecord, ctx: EvaluationContext): Decision {
  const to: AlertStateName = open.state === 'firing' ? 'resolved' : 'inactive';
  const alert: AlertRecord = {
    ...open,
    state: to,
    endedMs: open.lastSampleMs,
    heldSince: {},
    updatedMs: ctx.nowMs,
  };
  return { alert, transition: transitionOf(alert, open.state), store: true };
}

/** Each holding threshold keeps the time it began to hold; one that stops holding is dropped. */
function heldAfter(rule: CompiledRule, open: AlertRecord | undefined, point: SeriesPoint): Held {
  const held: Held = {};
  for (const t of rule.thresholds) {
    if (rule.holds(t, point.value)) held[t.severity] = open?.heldSince[t.severity] ?? point.timeMs;
  }
  return held;
}

/** The most severe threshold that has held for its own `for`. */
function topEligible(rule: CompiledRule, held: Held, timeMs: number): Severity | undefined {
  const eligible = rule.thresholds.find((t) => {
    const since = held[t.severity];
    return since !== undefined && timeMs - since >= t.forMs;
  });
  return eligible?.severity;
}

function opened(
  rule: CompiledRule,
  point: SeriesPoint,
  held: Held,
  ctx: EvaluationContext,
): AlertRecord {
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
    startedMs: Math.min(...Object.values(held)),
    firedMs: null,
    endedMs: null,
    lastSampleMs: point.timeMs,
    lastNotifiedMs: null,
    heldSince: held,
    updatedMs: ctx.nowMs,
  };
}

interface ChangeDetail {
  readonly top: Severity | undefined;
  readonly held: Held;
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
  const ended = to === 'resolved' || to === 'inactive';
  const alert: AlertRecord = {
    ...before,
    hostName: point.hostName,
    state: to,
    severity: firing ? (detail.top ?? before.severity) : before.severity,
    value: point.value,
    firedMs: firing && before.firedMs === null ? point.timeMs : before.firedMs,
    endedMs: ended ? point.timeMs : null,
    lastSampleMs: point.timeMs,
    lastNotifiedMs: firing || to === 'resolved' ? point.timeMs : before.lastNotifiedMs,
    heldSince: detail.held,
    updatedMs: ctx.nowMs,
  };
  const notify = notificationFor(to, detail);
  return { alert, transition: transitionOf(alert, from), notify, store: true };
}

function notificationFor(to: AlertStateName, detail: ChangeDetail): NotificationKind | undefined {
  if (detail.escalated) return 'escalated';
  if (to === 'firing') return 'firing';
  return to === 'resolved' ? 'resolved' : undefined;
}

function transitionOf(after: AlertRecord, from: AlertStateName | null): TransitionRecord {
  return {
    alertId: after.id,
    from,
    to: after.state,
    severity: after.severity,
    value: after.value,
    sampleMs: after.lastSampleMs,
    recordedMs: after.updatedMs,
  };
}

function quiet(
  open: AlertRecord,
  point: SeriesPoint,
  held: Held,
  ctx: EvaluationContext,
): Decision {
  const heldChanged = !sameKeys(open.heldSince, held);
  const alert: AlertRecord = {
    ...open,
    value: point.value,
    lastSampleMs: point.timeMs,
    heldSince: held,
    updatedMs: heldChanged ? ctx.nowMs : open.updatedMs,
  };
  return { alert, store: heldChanged };
}

function sameKeys(a: object, b: object): boolean {
  return Object.keys(a).sort().join() === Object.keys(b).sort().join();
}
