import type { Migration } from '../../migration.js';

// Leases on outbox rows (collector/src/alerting/store/outbox-sqlite.ts), as in PostgreSQL. One
// process owns an SQLite file, yet the lease still keeps a restarted worker from sending a row
// twice while a send of the previous generation may still run.
export const outboxClaimsMigration: Migration = {
  name: '007-outbox-claims',
  sql: `
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE outbox ADD COLUMN claimed_until INTEGER;
CREATE INDEX outbox_pending_by_notifier ON outbox (notifier, due_ms) WHERE state = 'pending';
`,
};
