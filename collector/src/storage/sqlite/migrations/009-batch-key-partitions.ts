import type { Migration } from '../../migration.js';

// The day each exactly-once key is kept under (batch-keys.ts), as on PostgreSQL, where it
// partitions the table. Here the key stays (agent_id, incarnation, seq), so a key written
// before this migration still refuses its resend; those keys get the day they were received,
// the best known and never earlier than their batch's day but for an agent clock running
// ahead. Retention deletes old days in small transactions through batches_day (retention.ts).
// SQLite cannot add a NOT NULL column without a default, so the table is rebuilt.
export const batchKeyPartitionsMigration: Migration = {
  name: '009-batch-key-partitions',
  sql: `
CREATE TABLE batches_new (
  agent_id TEXT NOT NULL,
  incarnation TEXT NOT NULL,
  seq INTEGER NOT NULL,
  batch_day_ms INTEGER NOT NULL,
  received_ms INTEGER NOT NULL,
  samples INTEGER NOT NULL,
  PRIMARY KEY (agent_id, incarnation, seq)
) WITHOUT ROWID;

INSERT INTO batches_new (agent_id, incarnation, seq, batch_day_ms, received_ms, samples)
SELECT agent_id, incarnation, seq,
  received_ms - (((received_ms % 86400000) + 86400000) % 86400000), received_ms, samples
FROM batches;
DROP TABLE batches;
ALTER TABLE batches_new RENAME TO batches;
CREATE INDEX batches_day ON batches (batch_day_ms);
`,
};
