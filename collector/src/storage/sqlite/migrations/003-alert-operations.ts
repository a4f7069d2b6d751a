import type { Migration } from '../../migration.js';

// Operator actions on alerts (collector/src/alerting/store/sqlite.ts): acknowledgements,
// silences, and the alert columns they and the lifecycle need. `alerts.state` keeps the
// lifecycle (pending, firing, resolved, inactive); "acknowledged" and "suppressed" are read
// from acked_ms and silence_id, so an ack or a silence never rewrites the lifecycle.
export const alertOperationsMigration: Migration = {
  name: '003-alert-operations',
  sql: `
ALTER TABLE alerts ADD COLUMN detail TEXT;
ALTER TABLE alerts ADD COLUMN notified_severity TEXT
  CHECK (notified_severity IN ('low', 'medium', 'high', 'critical'));
ALTER TABLE alerts ADD COLUMN eased_since_ms INTEGER;
ALTER TABLE alerts ADD COLUMN acked_ms INTEGER;
ALTER TABLE alerts ADD COLUMN acked_by TEXT;
ALTER TABLE alerts ADD COLUMN silence_id TEXT;
-- Alerts stored before this migration fired with someone told: say so, or their resolution
-- would go out unannounced.
UPDATE alerts SET notified_severity = severity WHERE fired_ms IS NOT NULL;

ALTER TABLE alert_transitions ADD COLUMN note TEXT;

CREATE TABLE alert_acks (
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  alert_id  TEXT NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
  time_ms   INTEGER NOT NULL,
  author    TEXT NOT NULL,
  comment   TEXT NOT NULL
);
CREATE INDEX alert_acks_by_alert ON alert_acks (alert_id, id);

CREATE TABLE silences (
  id          TEXT PRIMARY KEY,
  matchers    TEXT NOT NULL,
  starts_ms   INTEGER NOT NULL,
  ends_ms     INTEGER NOT NULL,
  author      TEXT NOT NULL,
  comment     TEXT NOT NULL,
  created_ms  INTEGER NOT NULL,
  expired_ms  INTEGER,
  expired_by  TEXT,
  CONSTRAINT silences_start_before_end CHECK (starts_ms < ends_ms)
);
CREATE INDEX silences_by_end ON silences (ends_ms);
`,
};
