import type {
  AckRecord,
  AlertChange,
  AlertRecord,
  AlertStateName,
  AttemptRecord,
  OutboxRow,
  OutboxUpdate,
  SilenceRecord,
  TransitionRecord,
} from '../alert-record.js';

// Where alert state, history and the outbox live. Two implementations (postgres.ts, sqlite.ts)
// over the same tables (migrations 002 and 003 in storage/*/migrations) answer the same; one
// test suite runs against both.
//
// Invariants:
// - saveChange() writes the alert, its transition, its outbox rows and its acknowledgement in
//   ONE transaction: a notification exists exactly when its state change does.
// - An outbox row leaves `pending` only through finishAttempt(), which writes the attempt and
//   the row's new state in one transaction.
// - claim() takes a due row for a lease; a collector that dies mid-delivery leaves the row due
//   again when the lease ends, so delivery is at least once, never zero.

export interface LoadedAlertState {
  /** Alerts still pending or firing. */
  readonly open: AlertRecord[];
  /** For series whose last alert ended: the newest sample time it saw. */
  readonly lastSeen: { rule: string; hostId: string; labelsKey: string; lastSampleMs: number }[];
}

export interface AlertHistory {
  readonly transitions: TransitionRecord[];
  readonly outbox: OutboxRow[];
  readonly attempts: AttemptRecord[];
  readonly acknowledgements: AckRecord[];
}

export interface AlertStore {
  load(): Promise<LoadedAlertState>;
  saveChange(change: AlertChange): Promise<void>;

  /** Pending rows due at nowMs, oldest due first. */
  dueOutbox(nowMs: number, limit: number): Promise<OutboxRow[]>;
  /** The earliest due time of a pending row, if any. */
  nextDueMs(): Promise<number | undefined>;
  /** Takes a due row until leaseUntilMs; false when another worker took it first. */
  claim(id: string, nowMs: number, leaseUntilMs: number): Promise<boolean>;
  finishAttempt(attempt: AttemptRecord, update: OutboxUpdate): Promise<void>;
  /** Moves a pending row's due time without an attempt (its notifier is paused by a 429). */
  postpone(id: string, dueMs: number): Promise<void>;

  /** The 1000 most recently changed, newest first. */
  listAlerts(filter?: { state?: AlertStateName | undefined }): Promise<AlertRecord[]>;
  getAlert(id: string): Promise<AlertRecord | undefined>;
  history(alertId: string): Promise<AlertHistory>;

  insertSilence(silence: SilenceRecord): Promise<void>;
  getSilence(id: string): Promise<SilenceRecord | undefined>;
  /** Not expired and not yet ended at nowMs (those still to start included), by start. */
  activeSilences(nowMs: number): Promise<SilenceRecord[]>;
  /** Every silence, the 1000 most recently created first. */
  listSilences(): Promise<SilenceRecord[]>;
  /** Ends a silence early; false when it is unknown or already expired. */
  expireSilence(id: string, nowMs: number, by: string): Promise<boolean>;
}
