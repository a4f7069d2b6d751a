import type { Migration } from '../../migration.js';

// The exactly-once keys split by day, so that retention drops whole days of them (docs/storage.md,
// "Exactly-once keys"). The partition key must be in the primary key, and it must be the same
// on every copy of a batch, or a resend landing in another partition would be stored twice:
// so it is batch_day_ms, the UTC day of the batch's newest sample or event time
// (batch-keys.ts), not the day it was received.
// - Keys written before this migration have no such day, and a resend of one of them (an
//   answer lost while the collector was being upgraded) would compute a day no copy of the key
//   can be found under. So the old table is not copied: it is renamed, kept as it is (the
//   migration stays instant however many keys it holds), and the store statement also looks a
//   key up in it. Retention empties it (TRUNCATE) once its newest key is past the key limit;
//   storage_state keeps that newest receive time, as the table has no index to find it by.
// - hostpulse_ensure_partition() learns the daily partitions of batches (batches_YYYYMMDD);
//   the rest of it is unchanged from 004.
export const batchKeyPartitionsMigration: Migration = {
  name: '009-batch-key-partitions',
  sql: `
CREATE OR REPLACE FUNCTION hostpulse_ensure_partition(parent text, t_ms bigint) RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
  at timestamp := to_timestamp(t_ms / 1000.0) AT TIME ZONE 'UTC';
  low timestamp;
  high timestamp;
  part text;
BEGIN
  IF parent = 'samples' OR parent = 'batches' THEN
    low := date_trunc('day', at);
    high := low + interval '1 day';
    part := parent || '_' || to_char(low, 'YYYYMMDD');
  ELSIF parent = 'samples_5m' THEN
    low := date_trunc('month', at);
    high := low + interval '1 month';
    part := 'samples_5m_' || to_char(low, 'YYYYMM');
  ELSE
    RAISE EXCEPTION 'no partitioning known for %', parent;
  END IF;
  IF to_regclass(part) IS NOT NULL THEN
    RETURN NULL;
  END IF;
  PERFORM pg_advisory_xact_lock(1752196208); -- "hppp"
  BEGIN
    EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%s) TO (%s)', part, parent,
      (extract(epoch FROM low) * 1000)::bigint, (extract(epoch FROM high) * 1000)::bigint);
  EXCEPTION WHEN duplicate_table OR unique_violation THEN
    RETURN NULL;
  END;
  RETURN part;
END
$fn$;

ALTER TABLE batches RENAME TO batches_unpartitioned;
ALTER INDEX batches_pkey RENAME TO batches_unpartitioned_pkey;

CREATE TABLE batches (
  agent_id text NOT NULL,
  incarnation text NOT NULL,
  seq bigint NOT NULL,
  batch_day_ms bigint NOT NULL,
  received_ms bigint NOT NULL,
  samples integer NOT NULL,
  PRIMARY KEY (agent_id, incarnation, seq, batch_day_ms)
) PARTITION BY RANGE (batch_day_ms);

INSERT INTO storage_state (name, value_ms)
SELECT 'batches_unpartitioned_newest_ms', max(received_ms) FROM batches_unpartitioned
HAVING count(*) > 0;
`,
};
