import type { Migration } from '../../migration.js';

// Who changed what, when and from where: token changes, acknowledgements, silences
// (collector/src/audit.ts writes it, GET /api/v1/audit reads it). Rows are only ever added.
// `detail` is JSON in TEXT.
export const auditMigration: Migration = {
  name: '005-audit',
  sql: `
CREATE TABLE audit_log (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  time_ms        INTEGER NOT NULL,
  actor          TEXT NOT NULL,
  action         TEXT NOT NULL,
  target         TEXT NOT NULL,
  detail         TEXT NOT NULL DEFAULT '{}',
  remote_address TEXT
);
CREATE INDEX audit_log_by_time ON audit_log (time_ms, id);
`,
};
