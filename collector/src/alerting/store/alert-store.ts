import type {
  AckRecord,
  AlertChange,
  AlertRecord,
  AlertStateName,
  AttemptRecord,
  OutboxRow,
  SilenceRecord,
  TransitionRecord,
} from '../alert-record.js';
import type { OutboxStore } from './outbox-store.js';

// Where alert state, history and the outbox live. Two implementations (postgres.ts, sqlite.ts)
// over the same tables (migrations 002 and 003 in storage/*/migrations) answer the same; one
// test suite runs against both.
//
// Invariants:
// - saveChange() writes the alert, its transition, its outbox rows and its acknowledgement in
//   ONE transaction: a notification exists exactly when its state change does.
// - Delivery of the outbox (claims, leases, attempts) keeps the invariants of outbox-store.ts.

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

export interface AlertStore extends OutboxStore {
  load(): Promise<LoadedAlertState>;
  saveChange(change: AlertChange): Promise<void>;

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
