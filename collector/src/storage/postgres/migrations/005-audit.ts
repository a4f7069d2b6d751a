import type { Migration } from '../../migration.js';

// Who changed what, when and from where: token changes, acknowledgements, silences
// (collector/src/audit.ts writes it, GET /api/v1/audit reads it). Rows are only ever added.
export const auditMigration: Migration = {
  name: '005-audit',
  sql: `
CREATE TABLE audit_log (
  id             bigserial PRIMARY KEY,
  time_ms        bigint NOT NULL,
  actor          text NOT NULL,
  action         text NOT NULL,
  target         text NOT NULL,
  detail         jsonb NOT NULL DEFAULT '{}',
  remote_address text
);
CREATE INDEX audit_log_by_time ON audit_log (time_ms, id);
`,
};
