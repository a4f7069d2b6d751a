import type { Migration } from '../../migration.js';

// Samples split by day (native range partitions on t_ms), 5-minute rollups split by month, and
// what the maintenance jobs need (docs/storage.md, "Partitions, retention and rollups").
// - The existing samples table is renamed, its rows copied into daily partitions made for the
//   days they cover, then dropped: one full read and write of the table, inside the migration's
//   transaction, so a failure leaves the old table as it was.
// - hostpulse_ensure_partition() is the one place that names and bounds a partition (it returns
//   the name of a partition it made, NULL when it was there): the
//   migration, ingest (a day not seen yet) and the partition job all call it. Replicas racing
//   to create the same partition serialise on an advisory lock; the loser finds it made.
// - rollup_pending: per host, the sample-time range that changed since the rollup job last
//   ran; the ingest statement widens it, the job takes it (rollup.ts).
export const partitionsRollupsMigration: Migration = {
  name: '004-partitions-rollups',
  sql: `
CREATE FUNCTION hostpulse_ensure_partition(parent text, t_ms bigint) RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
  at timestamp := to_timestamp(t_ms / 1000.0) AT TIME ZONE 'UTC';
  low timestamp;
  high timestamp;
  part text;
BEGIN
  IF parent = 'samples' THEN
    low := date_trunc('day', at);
    high := low + interval '1 day';
    part := 'samples_' || to_char(low, 'YYYYMMDD');
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

ALTER TABLE samples RENAME TO samples_unpartitioned;
ALTER INDEX samples_series_time RENAME TO samples_unpartitioned_series_time;
CREATE TABLE samples (
  series_id integer NOT NULL,
  t_ms bigint NOT NULL,
  value double precision NOT NULL
) PARTITION BY RANGE (t_ms);
CREATE INDEX samples_series_time ON samples (series_id, t_ms);

SELECT hostpulse_ensure_partition('samples', day)
FROM (SELECT DISTINCT t_ms - ((t_ms % 86400000) + 86400000) % 86400000 AS day
      FROM samples_unpartitioned) AS days;
INSERT INTO samples (series_id, t_ms, value)
SELECT series_id, t_ms, value FROM samples_unpartitioned;
DROP TABLE samples_unpartitioned;

CREATE TABLE samples_5m (
  series_id integer NOT NULL,
  bucket_ms bigint NOT NULL,
  min_value double precision NOT NULL,
  max_value double precision NOT NULL,
  sum_value double precision NOT NULL,
  count integer NOT NULL,
  last_ms bigint NOT NULL,
  last_value double precision NOT NULL,
  PRIMARY KEY (series_id, bucket_ms)
) PARTITION BY RANGE (bucket_ms);

CREATE TABLE rollup_pending (
  host_id text PRIMARY KEY,
  from_ms bigint NOT NULL,
  to_ms bigint NOT NULL
);

-- The samples already stored are rolled up by the job's first runs.
INSERT INTO rollup_pending (host_id, from_ms, to_ms)
SELECT se.host_id, min(x.t_ms), max(x.t_ms)
FROM samples x JOIN series se ON se.id = x.series_id
GROUP BY se.host_id;

CREATE TABLE storage_state (
  name text PRIMARY KEY,
  value_ms bigint NOT NULL
);
`,
};
