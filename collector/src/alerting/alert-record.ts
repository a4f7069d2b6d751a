import type { Labels } from '../storage/storage.js';
import type { AlertNotification, NotificationKind } from '../notifiers/notifier.js';
import type { Severity } from './rule-config.js';

// The records alerting keeps, in memory and in the alerts, alert_transitions, outbox and
// notification_attempts tables. Times named *Ms are epoch milliseconds; "sample time" is the
// agent's timestamp of the point that caused the change, "recorded" is the collector's clock.

/**
 * `inactive` ends an episode that never fired (pending, then the condition went away);
 * `resolved` ends one that fired. Either way the next breach opens a new alert with a new id.
 */
export type AlertStateName = 'pending' | 'firing' | 'resolved' | 'inactive';

/**
 * What operators see: the lifecycle, except that a firing alert under a silence is
 * `suppressed` and one an operator acknowledged is `acknowledged` (alert-view.ts).
 */
export type DisplayState = AlertStateName | 'acknowledged' | 'suppressed';

export interface AlertRecord {
  readonly id: string;
  readonly rule: string;
  readonly hostId: string;
  readonly hostName: string;
  readonly labels: Labels;
  /** The labels in one canonical string, part of the alert's identity. */
  readonly labelsKey: string;
  readonly state: AlertStateName;
  /** The firing severity: rises (escalation) and falls (de-escalation); kept after resolution. */
  readonly severity: Severity | null;
  readonly value: number;
  /** Sample time the condition first held in this episode. */
  readonly startedMs: number;
  readonly firedMs: number | null;
  /** Sample time the episode ended (resolved or inactive). */
  readonly endedMs: number | null;
  /** The newest sample time this alert has seen; older points are ignored. */
  readonly lastSampleMs: number;
  readonly lastNotifiedMs: number | null;
  /** Per severity, the sample time its condition started to hold without a break. */
  readonly heldSince: Readonly<Partial<Record<Severity, number>>>;
  readonly updatedMs: number;
  /** Why, beyond the value: a failing check's error text, "no data since …". */
  readonly detail: string | null;
  /** The severity the notifiers were last told of; null while nobody was told it fires. */
  readonly notifiedSeverity: Severity | null;
  /** Sample time the firing severity's own threshold stopped holding (de-escalation clock). */
  readonly easedSinceMs: number | null;
  readonly ackedMs: number | null;
  /** The API token name of who acknowledged. */
  readonly ackedBy: string | null;
  /** The silence suppressing this alert now. */
  readonly silenceId: string | null;
}

/** A change of the state operators see, or of the firing severity. */
export interface TransitionRecord {
  readonly alertId: string;
  readonly from: DisplayState | null;
  readonly to: DisplayState;
  readonly severity: Severity | null;
  readonly value: number;
  readonly sampleMs: number;
  readonly recordedMs: number;
  /** Who or what caused it when not a value: "silence s1 by alice", "no data since …". */
  readonly note: string | null;
}

export interface AckRecord {
  readonly alertId: string;
  readonly timeMs: number;
  readonly author: string;
  readonly comment: string;
}

export interface SilenceRecord {
  readonly id: string;
  /** `rule`, `host` and label names, each to a glob (shared/src/glob.ts); all must match. */
  readonly matchers: Readonly<Record<string, string>>;
  readonly startsMs: number;
  readonly endsMs: number;
  readonly author: string;
  readonly comment: string;
  readonly createdMs: number;
  /** Set when an operator ended it early (DELETE /api/v1/silences/:id). */
  readonly expiredMs: number | null;
  readonly expiredBy: string | null;
}

export type OutboxState = 'pending' | 'sent' | 'abandoned';

export interface OutboxRow {
  readonly id: string;
  readonly alertId: string;
  readonly notifier: string;
  readonly kind: NotificationKind;
  readonly payload: AlertNotification;
  readonly createdMs: number;
  readonly dueMs: number;
  readonly attempts: number;
  readonly state: OutboxState;
  readonly lastError: string | null;
}

export type AttemptOutcome = 'sent' | 'failed' | 'rate_limited' | 'abandoned';

export interface AttemptRecord {
  readonly outboxId: string;
  readonly timeMs: number;
  readonly outcome: AttemptOutcome;
  /** HTTP status or SMTP reply code. */
  readonly status: number | null;
  readonly reply: string | null;
  readonly error: string | null;
}

/** One state change, stored in one transaction: the alert, its transition, its notifications. */
export interface AlertChange {
  readonly alert: AlertRecord;
  readonly transition?: TransitionRecord | undefined;
  readonly outbox: readonly OutboxRow[];
  readonly ack?: AckRecord | undefined;
}

/** What a finished delivery attempt does to its outbox row. */
export interface OutboxUpdate {
  readonly id: string;
  readonly state: OutboxState;
  readonly dueMs: number;
  readonly lastError: string | null;
}

export function alertKey(rule: string, hostId: string, labelsKey: string): string {
  return `${rule}\u0000${hostId}\u0000${labelsKey}`;
}

/** Sorted keys, so {b, a} and {a, b} are the same alert. */
export function labelsKeyOf(labels: Labels): string {
  return JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
}

export function isOpen(alert: AlertRecord): boolean {
  return alert.state === 'pending' || alert.state === 'firing';
}

/** Pending is shown as pending even under a silence: nobody would be told of it anyway. */
export function displayState(alert: AlertRecord): DisplayState {
  if (alert.state !== 'firing') return alert.state;
  if (alert.silenceId !== null) return 'suppressed';
  return alert.ackedMs === null ? 'firing' : 'acknowledged';
}
