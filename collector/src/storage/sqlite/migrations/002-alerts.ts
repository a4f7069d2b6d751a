import type { Migration } from '../../migration.js';

// Alert state, its history and the notification outbox (collector/src/alerting/store/sqlite.ts).
// Times are epoch ms in INTEGER, JSON in TEXT. No foreign key to hosts: an alert's history
// outlives the host's removal.
export const alertsMigration: Migration = {
  name: '002-alerts',
  sql: `
CREATE TABLE alerts (
  id               TEXT PRIMARY KEY,
  rule             TEXT NOT NULL,
  host_id          TEXT NOT NULL,
  host_name        TEXT NOT NULL,
  labels           TEXT NOT NULL,
  labels_key       TEXT NOT NULL,
  state            TEXT NOT NULL CHECK (state IN ('pending', 'firing', 'resolved', 'inactive')),
  severity         TEXT CHECK (severity IN ('low', 'medium', 'high', 'critical')),
  value            REAL NOT NULL,
  started_ms       INTEGER NOT NULL,
  fired_ms         INTEGER,
  ended_ms         INTEGER,
  last_sample_ms   INTEGER NOT NULL,
  last_notified_ms INTEGER,
  held_since       TEXT NOT NULL,
  updated_ms       INTEGER NOT NULL
);
-- At most one open alert per (rule, host, label set): the state machine's own invariant.
CREATE UNIQUE INDEX alerts_one_open ON alerts (rule, host_id, labels_key) WHERE state IN ('pending', 'firing');
CREATE INDEX alerts_by_state ON alerts (state, updated_ms);
CREATE INDEX alerts_by_series ON alerts (rule, host_id, labels_key, last_sample_ms);

CREATE TABLE alert_transitions (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  alert_id    TEXT NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
  from_state  TEXT,
  to_state    TEXT NOT NULL,
  severity    TEXT,
  value       REAL NOT NULL,
  sample_ms   INTEGER NOT NULL,
  recorded_ms INTEGER NOT NULL
);
CREATE INDEX alert_transitions_by_alert ON alert_transitions (alert_id, id);

CREATE TABLE outbox (
  id         TEXT PRIMARY KEY,
  alert_id   TEXT NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
  notifier   TEXT NOT NULL,
  kind       TEXT NOT NULL,
  payload    TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  due_ms     INTEGER NOT NULL,
  attempts   INTEGER NOT NULL DEFAULT 0,
  state      TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'abandoned')),
  last_error TEXT
);
CREATE INDEX outbox_due ON outbox (due_ms) WHERE state = 'pending';
CREATE INDEX outbox_by_alert ON outbox (alert_id);

CREATE TABLE notification_attempts (
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  outbox_id TEXT NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
  time_ms   INTEGER NOT NULL,
  outcome   TEXT NOT NULL,
  status    INTEGER,
  reply     TEXT,
  error     TEXT
);
CREATE INDEX notification_attempts_by_outbox ON notification_attempts (outbox_id, id);
`,
};
