import type { AttemptRecord, OutboxRow, OutboxUpdate } from '../alert-record.js';

// The outbox as the delivery worker sees it. Two implementations (outbox-postgres.ts,
// outbox-sqlite.ts) over the outbox and notification_attempts tables (migrations 002-alerts
// and 007-outbox-claims).
//
// Invariants:
// - A row is sent only by the worker holding its claim: claimDue() takes due, unclaimed rows in
//   one statement (FOR UPDATE SKIP LOCKED on PostgreSQL), so two replicas never take the same
//   row while its lease runs.
// - The lease is short and renewed while the send runs; a worker that crashes stops renewing and
//   its rows are due again when the lease ends. Delivery is at least once, never zero.
// - A row leaves `pending` only through finishAttempts(), which writes each attempt and the
//   row's new state in one transaction and drops the claim.

export interface Claim {
  /** The claiming worker, random per worker. */
  readonly by: string;
  readonly untilMs: number;
}

export interface NotifierDue {
  readonly notifier: string;
  /** When its earliest pending row can next be sent: due, and not held by a live lease. */
  readonly dueMs: number;
}

export interface FinishedAttempt {
  readonly attempt: AttemptRecord;
  readonly update: OutboxUpdate;
}

export interface OutboxStore {
  /** For each notifier with pending rows, when the first of them can be sent. */
  dueByNotifier(): Promise<NotifierDue[]>;
  /** Claims up to `limit` rows of one notifier due at nowMs, oldest first. */
  claimDue(notifier: string, nowMs: number, limit: number, claim: Claim): Promise<OutboxRow[]>;
  /** Extends this worker's claim on the rows still pending. */
  renewClaims(ids: readonly string[], claim: Claim): Promise<void>;
  finishAttempts(finished: readonly FinishedAttempt[]): Promise<void>;
}
