import type { Migration } from '../../migration.js';

// Raw samples stop being one row each (docs/storage.md, "How raw samples are kept"):
// - sample_batches: one row per accepted batch, its samples as three parallel arrays. Ingest
//   writes these; the fold job (fold.ts) empties them a minute after each 5-minute bucket ends.
// - sample_chunks: one row per series and 5-minute bucket, times and values as sorted arrays,
//   split by day like samples was, so retention still drops whole days. A batch arriving late
//   for a bucket already folded adds a second chunk for it: readers never assume one.
// - The rows of samples are folded into chunks here, inside the migration's transaction (one
//   full read and write; on a large database run `migrate` at a quiet moment). What the rollup
//   job had not rolled up yet (rollup_pending) is rolled up here too, since rollups are now made
//   while folding and rollup_pending goes.
// - samples becomes a view of both tables with its old columns, for ad hoc SQL; the collector
//   never reads it (a view cannot use the bucket bounds that make its own reads fast).
// - hostpulse_ensure_partition() learns the daily partitions of sample_chunks; samples is gone.
export const sampleChunksMigration: Migration = {
  name: '011-sample-chunks',
  sql: `
CREATE OR REPLACE FUNCTION hostpulse_ensure_partition(parent text, t_ms bigint) RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
  at timestamp := to_timestamp(t_ms / 1000.0) AT TIME ZONE 'UTC';
  low timestamp;
  high timestamp;
  part text;
BEGIN
  IF parent = 'sample_chunks' OR parent = 'batches' THEN
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

CREATE TABLE sample_batches (
  host_id text NOT NULL,
  from_ms bigint NOT NULL,
  to_ms bigint NOT NULL,
  series_ids integer[] NOT NULL,
  times_ms bigint[] NOT NULL,
  vals double precision[] NOT NULL
);
CREATE INDEX sample_batches_host_time ON sample_batches (host_id, to_ms);
CREATE INDEX sample_batches_time ON sample_batches (to_ms);

CREATE TABLE sample_chunks (
  series_id integer NOT NULL,
  bucket_ms bigint NOT NULL,
  times_ms bigint[] NOT NULL,
  vals double precision[] NOT NULL
) PARTITION BY RANGE (bucket_ms);
CREATE INDEX sample_chunks_series_bucket ON sample_chunks (series_id, bucket_ms);

SELECT hostpulse_ensure_partition('samples_5m', day)
FROM (SELECT DISTINCT x.t_ms - ((x.t_ms % 86400000) + 86400000) % 86400000 AS day
      FROM rollup_pending p JOIN series se ON se.host_id = p.host_id
      JOIN samples x ON x.series_id = se.id AND x.t_ms >= p.from_ms AND x.t_ms <= p.to_ms) AS days;
INSERT INTO samples_5m (series_id, bucket_ms, min_value, max_value, sum_value, count, last_ms,
  last_value)
SELECT x.series_id, x.t_ms - (((x.t_ms % 300000) + 300000) % 300000),
  min(x.value), max(x.value), sum(x.value), count(*), max(x.t_ms),
  (array_agg(x.value ORDER BY x.t_ms DESC))[1]
FROM rollup_pending p JOIN series se ON se.host_id = p.host_id
JOIN samples x ON x.series_id = se.id
  AND x.t_ms >= p.from_ms - (((p.from_ms % 300000) + 300000) % 300000)
  AND x.t_ms <= p.to_ms - (((p.to_ms % 300000) + 300000) % 300000) + 299999
GROUP BY 1, 2
ON CONFLICT (series_id, bucket_ms) DO UPDATE SET
  min_value = excluded.min_value, max_value = excluded.max_value, sum_value = excluded.sum_value,
  count = excluded.count, last_ms = excluded.last_ms, last_value = excluded.last_value;
DROP TABLE rollup_pending;

SELECT hostpulse_ensure_partition('sample_chunks', day)
FROM (SELECT DISTINCT t_ms - ((t_ms % 86400000) + 86400000) % 86400000 AS day FROM samples) AS days;
INSERT INTO sample_chunks (series_id, bucket_ms, times_ms, vals)
SELECT series_id, t_ms - (((t_ms % 300000) + 300000) % 300000),
  array_agg(t_ms ORDER BY t_ms), array_agg(value ORDER BY t_ms)
FROM samples
GROUP BY 1, 2;
DROP TABLE samples;

CREATE VIEW samples AS
SELECT c.series_id, x.t_ms, x.value
FROM sample_chunks c CROSS JOIN LATERAL unnest(c.times_ms, c.vals) AS x (t_ms, value)
UNION ALL
SELECT x.series_id, x.t_ms, x.value
FROM sample_batches b
CROSS JOIN LATERAL unnest(b.series_ids, b.times_ms, b.vals) AS x (series_id, t_ms, value);
`,
};
