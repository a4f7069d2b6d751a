import type { Labels } from '../storage/storage.js';
import type { AlertRecord, AlertStateName } from './alert-record.js';
import { rank, type CompiledRule } from './compiled-rule.js';
import type { Severity } from './rule-config.js';

// The lifecycle of one (rule, host, label set), as a pure function of the open alert and one
// new point. Every time here is sample time, so `for:` means "held across samples spanning this
// long", whatever the delay of their delivery. Who is told what is decided afterwards, in
// notify-policy.ts, from the alert before and after.
//
//   (none) --a threshold holds--> pending --held for its `for`--> firing --cleared--> resolved
//   pending --no threshold holds--> inactive
//   firing --a higher severity held for its `for`--> firing at that severity (escalation)
//   firing --its own threshold has not held for its `for`--> firing lower (de-escalation)
//
// With `for: 0` an alert goes straight to firing. With `clear:` set, values between the clear
// level and the lowest threshold keep it firing (hysteresis in value); `for:` applies in both
// directions between severities (hysteresis in time), so a value hovering around the critical
// level does not flip the severity every sample.

export interface SeriesPoint {
  readonly hostId: string;
  readonly hostName: string;
  readonly labels: Labels;
  readonly labelsKey: string;
  readonly timeMs: number;
  readonly value: number;
  /** A failing check's error text, carried into the alert. */
  readonly detail?: string | null | undefined;
}

export interface Decision {
  readonly alert: AlertRecord;
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
    const state = top ? 'firing' : 'pending';
    return change(opened(rule, point, held, ctx), state, top ?? null, point, held, ctx);
  }
  if (open.state === 'pending') {
    if (!holds) return change(open, 'inactive', null, point, {}, ctx);
    if (top) return change(open, 'firing', top, point, held, ctx);
    return quiet(open, point, held, ctx, open.easedSinceMs);
  }
  if (rule.isCleared(point.value)) return change(open, 'resolved', open.severity, point, {}, ctx);
  const current = open.severity ?? top ?? lowest(rule);
  if (top && rank(top) > rank(current)) return change(open, 'firing', top, point, held, ctx);
  if (held[current] !== undefined) return quiet(open, point, held, ctx, null);

  const easedSinceMs = open.easedSinceMs ?? point.timeMs;
  const lower = lowerSeverity(rule, held, current);
  if (lower === current || point.timeMs - easedSinceMs < forOf(rule, current)) {
    return quiet(open, point, held, ctx, easedSinceMs);
  }
  return change(open, 'firing', lower, point, held, ctx);
}

/**
 * Ends an open alert whose rule is gone from the config or no longer matches its series: no
 * point will ever clear it. notify-policy.ts sends nothing for it (no point cleared it).
 */
export function retire(open: AlertRecord, ctx: EvaluationContext): AlertRecord {
  const to: AlertStateName = open.state === 'firing' ? 'resolved' : 'inactive';
  return { ...open, state: to, endedMs: open.lastSampleMs, heldSince: {}, updatedMs: ctx.nowMs };
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

/** Below `current`: the most severe threshold that still holds, else the rule's lowest. */
function lowerSeverity(rule: CompiledRule, held: Held, current: Severity): Severity {
  const lower = rule.thresholds.filter((t) => rank(t.severity) < rank(current));
  const holding = lower.find((t) => held[t.severity] !== undefined);
  return holding?.severity ?? lower[lower.length - 1]?.severity ?? current;
}

function lowest(rule: CompiledRule): Severity {
  return (rule.thresholds[rule.thresholds.length - 1] as { severity: Severity }).severity;
}

function forOf(rule: CompiledRule, severity: Severity): number {
  return rule.thresholds.find((t) => t.severity === severity)?.forMs ?? 0;
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
    detail: point.detail ?? null,
    notifiedSeverity: null,
    easedSinceMs: null,
    ackedMs: null,
    ackedBy: null,
    silenceId: null,
  };
}

function change(
  before: AlertRecord,
  to: AlertStateName,
  severity: Severity | null,
  point: SeriesPoint,
  held: Held,
  ctx: EvaluationContext,
): Decision {
  const firing = to === 'firing';
  const ended = to === 'resolved' || to === 'inactive';
  const alert: AlertRecord = {
    ...before,
    hostName: point.hostName,
    state: to,
    severity: severity ?? before.severity,
    value: point.value,
    firedMs: firing && before.firedMs === null ? point.timeMs : before.firedMs,
    endedMs: ended ? point.timeMs : null,
    lastSampleMs: point.timeMs,
    heldSince: held,
    easedSinceMs: null,
    detail: point.detail ?? null,
    updatedMs: ctx.nowMs,
  };
  return { alert, store: true };
}

function quiet(
  open: AlertRecord,
  point: SeriesPoint,
  held: Held,
  ctx: EvaluationContext,
  easedSinceMs: number | null,
): Decision {
  const changed =
    !sameKeys(open.heldSince, held) ||
    easedSinceMs !== open.easedSinceMs ||
    (point.detail ?? null) !== open.detail;
  const alert: AlertRecord = {
    ...open,
    value: point.value,
    lastSampleMs: point.timeMs,
    heldSince: held,
    easedSinceMs,
    detail: point.detail ?? null,
    updatedMs: changed ? ctx.nowMs : open.updatedMs,
  };
  return { alert, store: changed };
}

function sameKeys(a: object, b: object): boolean {
  return Object.keys(a).sort().join() === Object.keys(b).sort().join();
}
