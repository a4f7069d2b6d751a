import type { NotificationKind } from '../notifiers/notifier.js';
import {
  displayState,
  isOpen,
  type AlertRecord,
  type TransitionRecord,
} from './alert-record.js';
import { rank } from './compiled-rule.js';

// Who is told what, decided from an alert before and after a change (a point, a tick, an
// operator's action). Pure. What is sent follows from what the notifiers were last told
// (notifiedSeverity), so a notification held back by a silence goes out when it ends:
//
// - firing, nobody told yet               → `firing`
// - firing above what was told            → `escalated` (ends an acknowledgement)
// - firing below what was told            → `deescalated`, unless acknowledged
// - firing as told, repeat_every elapsed  → `repeat`, unless acknowledged
// - resolved after someone was told       → `resolved`
// - while a silence matches               → nothing; the alert shows `suppressed`
// - the rule has no notifier               → nothing, and nothing counts as told
//
// A transition is recorded whenever the state operators see changes, or the firing severity.

export interface Settle {
  readonly before: AlertRecord | undefined;
  /** The lifecycle's result, before silences and acknowledgements are applied. */
  readonly after: AlertRecord;
  /** The silence matching the alert now, if any. */
  readonly silenceId: string | null;
  readonly repeatEveryMs?: number | undefined;
  /** The time repeats are measured in: the point's sample time, or now for a tick. */
  readonly atMs: number;
  readonly nowMs: number;
  readonly note?: string | null | undefined;
  /** Record the change but tell nobody (an alert ended because its rule went away). */
  readonly quietly?: boolean | undefined;
  /**
   * The rule has no notifier: nobody can be told, so nothing counts as told either. A
   * notifier added later gets the firing, and never a resolution alone.
   */
  readonly nobody?: boolean | undefined;
}

export interface Settled {
  readonly alert: AlertRecord;
  readonly transition?: TransitionRecord | undefined;
  readonly notify?: NotificationKind | undefined;
}

export function settle(input: Settle): Settled {
  const { before, after } = input;
  let alert: AlertRecord = isOpen(after) ? { ...after, silenceId: input.silenceId } : after;
  const notify = input.quietly || input.nobody ? undefined : kindFor(alert, input);
  // Rising above what the acknowledger was told is news: the acknowledgement ends with it.
  if (notify === 'escalated') alert = { ...alert, ackedMs: null, ackedBy: null };
  if (notify && notify !== 'resolved') {
    alert = { ...alert, notifiedSeverity: alert.severity, lastNotifiedMs: input.atMs };
  }
  if (notify === 'resolved') alert = { ...alert, lastNotifiedMs: input.atMs };
  return { alert, transition: transitionOf(before, alert, input), notify };
}

function kindFor(alert: AlertRecord, input: Settle): NotificationKind | undefined {
  const told = alert.notifiedSeverity;
  if (alert.state === 'resolved') {
    const wasFiring = input.before?.state === 'firing';
    return wasFiring && told !== null && alert.silenceId === null ? 'resolved' : undefined;
  }
  if (alert.state !== 'firing' || alert.silenceId !== null || alert.severity === null) {
    return undefined;
  }
  if (told === null) return 'firing';
  if (rank(alert.severity) > rank(told)) return 'escalated';
  const acked = alert.ackedMs !== null;
  if (rank(alert.severity) < rank(told)) return acked ? undefined : 'deescalated';
  const repeatMs = input.repeatEveryMs;
  if (acked || !repeatMs || alert.lastNotifiedMs === null) return undefined;
  return input.atMs - alert.lastNotifiedMs >= repeatMs ? 'repeat' : undefined;
}

function transitionOf(
  before: AlertRecord | undefined,
  after: AlertRecord,
  input: Settle,
): TransitionRecord | undefined {
  const from = before ? displayState(before) : null;
  const to = displayState(after);
  const severityMoved =
    before?.state === 'firing' && after.state === 'firing' && before.severity !== after.severity;
  if (from === to && !severityMoved) return undefined;
  return {
    alertId: after.id,
    from,
    to,
    severity: after.severity,
    value: after.value,
    sampleMs: after.lastSampleMs,
    recordedMs: input.nowMs,
    note: input.note ?? (to === 'suppressed' ? `silence ${after.silenceId}` : null),
  };
}
