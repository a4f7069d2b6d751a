import type { Migration } from '../../migration.js';

// Leases on outbox rows (collector/src/alerting/store/outbox-postgres.ts). A worker claims the
// due rows of one notifier until claimed_until and renews the lease while its send runs; a
// worker that dies stops renewing, so its rows are due again seconds later. claimed_by names
// the claiming worker, so only it renews or finishes the claim.
export const outboxClaimsMigration: Migration = {
  name: '007-outbox-claims',
  sql: `
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE outbox ADD COLUMN claimed_until BIGINT;
CREATE INDEX outbox_pending_by_notifier ON outbox (notifier, due_ms) WHERE state = 'pending';
`,
};
