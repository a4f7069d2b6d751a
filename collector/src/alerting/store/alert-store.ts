import type {
  AlertChange,
  AlertRecord,
  AlertStateName,
  AttemptRecord,
  OutboxRow,
  TransitionRecord,
} from '../alert-record.js';
import type { OutboxStore } from './outbox-store.js';

// Where alert state, history and the outbox live. Two implementations (postgres.ts, sqlite.ts)
// over the same tables (migrations 002-alerts in storage/*/migrations) answer the same; one
// test suite runs against both.
//
// Invariants:
// - saveChange() writes the alert, its transition and its outbox rows in ONE transaction: a
//   notification exists exactly when its state change does.
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
}

export interface AlertStore extends OutboxStore {
  load(): Promise<LoadedAlertState>;
  saveChange(change: AlertChange): Promise<void>;

  listAlerts(filter?: { state?: AlertStateName | undefined }): Promise<AlertRecord[]>;
  getAlert(id: string): Promise<AlertRecord | undefined>;
  history(alertId: string): Promise<AlertHistory>;
}
