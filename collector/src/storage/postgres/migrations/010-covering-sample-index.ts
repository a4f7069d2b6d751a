import type { Migration } from '../../migration.js';

// The samples index carries the value, so a raw query of one series reads the index alone
// (an index-only scan, on pages vacuum has marked all-visible) instead of one heap page per
// sample: a fleet writes each cycle of all its series together, so the samples of one series
// lie one to a page. On a large database this rebuilds the index of every daily partition;
// run `migrate` at a quiet moment (ingest waits on the lock meanwhile and agents keep their
// batches).
export const coveringSampleIndexMigration: Migration = {
  name: '010-covering-sample-index',
  sql: `
CREATE INDEX samples_series_time_value ON samples (series_id, t_ms) INCLUDE (value);
DROP INDEX samples_series_time;
`,
};
