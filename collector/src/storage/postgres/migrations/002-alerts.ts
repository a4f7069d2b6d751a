import type { Migration } from '../../migration.js';

// Alert state, its history and the notification outbox (collector/src/alerting/store/postgres.ts).
// Times are epoch ms in BIGINT, like the rest of the schema. No foreign key to hosts: an alert's
// history outlives the host's removal.
export const alertsMigration: Migration = {
  name: '002-alerts',
  sql: `
CREATE TABLE alerts (
  id               TEXT PRIMARY KEY,
  rule             TEXT NOT NULL,
  host_id          TEXT NOT NULL,
  host_name        TEXT NOT NULL,
  labels           JSONB NOT NULL,
  labels_key       TEXT NOT NULL,
  state            TEXT NOT NULL CHECK (state IN ('pending', 'firing', 'resolved', 'inactive')),
  severity         TEXT CHECK (severity IN ('low', 'medium', 'high', 'critical')),
  value            DOUBLE PRECISION NOT NULL,
  started_ms       BIGINT NOT NULL,
  fired_ms         BIGINT,
  ended_ms         BIGINT,
  last_sample_ms   BIGINT NOT NULL,
  last_notified_ms BIGINT,
  held_since       JSONB NOT NULL,
  updated_ms       BIGINT NOT NULL
);
-- At most one open alert per (rule, host, label set): the state machine's own invariant.
CREATE UNIQUE INDEX alerts_one_open ON alerts (rule, host_id, labels_key) WHERE state IN ('pending', 'firing');
CREATE INDEX alerts_by_state ON alerts (state, updated_ms);
CREATE INDEX alerts_by_series ON alerts (rule, host_id, labels_key, last_sample_ms);

CREATE TABLE alert_transitions (
  id          BIGSERIAL PRIMARY KEY,
  alert_id    TEXT NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
  from_state  TEXT,
  to_state    TEXT NOT NULL,
  severity    TEXT,
  value       DOUBLE PRECISION NOT NULL,
  sample_ms   BIGINT NOT NULL,
  recorded_ms BIGINT NOT NULL
);
CREATE INDEX alert_transitions_by_alert ON alert_transitions (alert_id, id);

CREATE TABLE outbox (
  id         TEXT PRIMARY KEY,
  alert_id   TEXT NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
  notifier   TEXT NOT NULL,
  kind       TEXT NOT NULL,
  payload    JSONB NOT NULL,
  created_ms BIGINT NOT NULL,
  due_ms     BIGINT NOT NULL,
  attempts   INTEGER NOT NULL DEFAULT 0,
  state      TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'abandoned')),
  last_error TEXT
);
CREATE INDEX outbox_due ON outbox (due_ms) WHERE state = 'pending';
CREATE INDEX outbox_by_alert ON outbox (alert_id);

CREATE TABLE notification_attempts (
  id        BIGSERIAL PRIMARY KEY,
  outbox_id TEXT NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
  time_ms   BIGINT NOT NULL,
  outcome   TEXT NOT NULL,
  status    INTEGER,
  reply     TEXT,
  error     TEXT
);
CREATE INDEX notification_attempts_by_outbox ON notification_attempts (outbox_id, id);
`,
};
