import type { Migration } from '../../migration.js';

// The rollup and maintenance tables of postgres/migrations/004-partitions-rollups.ts. SQLite
// has no partitions: retention deletes old rows series by series in small transactions
// (sqlite/retention.ts), which at the 1-50 hosts this store is for stays short.
export const partitionsRollupsMigration: Migration = {
  name: '004-partitions-rollups',
  sql: `
CREATE TABLE samples_5m (
  series_id INTEGER NOT NULL,
  bucket_ms INTEGER NOT NULL,
  min_value REAL NOT NULL,
  max_value REAL NOT NULL,
  sum_value REAL NOT NULL,
  count INTEGER NOT NULL,
  last_ms INTEGER NOT NULL,
  last_value REAL NOT NULL,
  PRIMARY KEY (series_id, bucket_ms)
) WITHOUT ROWID;

CREATE TABLE rollup_pending (
  host_id TEXT PRIMARY KEY,
  from_ms INTEGER NOT NULL,
  to_ms INTEGER NOT NULL
) WITHOUT ROWID;

-- The samples already stored are rolled up by the job's first runs.
INSERT INTO rollup_pending (host_id, from_ms, to_ms)
SELECT se.host_id, min(x.t_ms), max(x.t_ms)
FROM samples x JOIN series se ON se.id = x.series_id
GROUP BY se.host_id;

CREATE TABLE storage_state (
  name TEXT PRIMARY KEY,
  value_ms INTEGER NOT NULL
) WITHOUT ROWID;
`,
};
