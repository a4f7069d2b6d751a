import type pg from 'pg';
import { bucketStart, bucketStartSql, ROLLUP_BUCKET_MS, type StoragePolicy } from '../policy.js';
import { NOTHING_DONE, type MaintenanceResult } from '../storage.js';
import { advanceState } from './maintenance-state.js';
import { DAY_MS, ensurePartitions } from './partitions.js';

// The rollup job on PostgreSQL: it folds the batch rows ingest wrote (sample_batches, one per
// batch) into one chunk per series and 5-minute bucket (sample_chunks) and merges the same
// samples into the 5-minute rollups (samples_5m), in one statement per step that also deletes
// the rows it took, so a sample is always in exactly one of the two tables.
// - Only rows whose every sample lies in a bucket that ended before the cut are taken (the cut
//   is a minute before the run, so batches of a bucket still being sent are left for the next
//   run): a bucket is then folded in one go and its chunk holds the whole bucket.
// - A batch arriving late, for a bucket already folded, is folded at the next run: its samples
//   make another chunk of that bucket and are merged into the bucket's rollup (min, max, sum,
//   count and last combine). The exactly-once keys make sure no batch is merged twice.
// - Two samples of a series at one time (an agent's clock stepped back) are kept both; the
//   newest sample of a bucket is the larger of them, whether they meet in one step or the
//   second is merged later, as queries decide `last` (query.ts). Chunks hold them smaller
//   first, the order raw answers list them in.
// - Steps take rows with FOR UPDATE SKIP LOCKED, so two replicas running the job at once share
//   the rows instead of waiting on each other, and neither waits on ingest (which only inserts).
// - Samples older than retention.raw make no chunk (retention would drop it) and samples older
//   than retention.rollup no rollup: a batch buffered longer than that keeps what is kept.
// - A run that left no row before the cut records in rolled_through_ms where the rollups are
//   complete: the cut, or the bucket of the oldest sample still waiting, if that is earlier.
//   A run stopped by its time budget records nothing; the next one goes on.

/** Batch rows per step: about 120,000 samples of 60-series batches, well under a second. */
const ROWS_PER_STEP = 2_000;
const IN_FLIGHT_MARGIN_MS = 60_000;
/**
 * Under the job's 5-minute period (runs never overlap). The fold must keep up with ingest: it
 * takes about 330,000 samples/s (bench/storage-ingest.mjs), so 4 minutes of it fold 5 minutes
 * of 260,000 samples/s; 10,000 hosts at 10 s send 60,000. A longer backlog (the collector was
 * down) is worked off over several runs, while queries read the rows still waiting.
 */
const RUN_BUDGET_MS = 240_000;

const W = ROLLUP_BUCKET_MS;

// What the next step may take: its time range, and the UTC days its samples fall in, so their
// partitions can be made first (making one locks the parent, which should not happen inside
// the step). Only a batch spanning days has its times listed one by one: a clock that jumped
// years within one batch then makes two days, not a thousand.
const PEEK = `
WITH next AS (
  SELECT from_ms, to_ms, times_ms FROM sample_batches WHERE to_ms < $1 ORDER BY to_ms LIMIT $2
)
SELECT (SELECT min(from_ms) FROM next) AS from_ms, (SELECT max(to_ms) FROM next) AS to_ms,
  ARRAY(
    SELECT DISTINCT ${bucketStartSql('t', DAY_MS)}
    FROM next CROSS JOIN LATERAL unnest(CASE
      WHEN floor(from_ms / ${DAY_MS}.0) = floor(to_ms / ${DAY_MS}.0) THEN ARRAY[from_ms]
      ELSE times_ms END) AS t
    ORDER BY 1) AS days`;

// $1 cut, $2 rows, $3..$4 the peeked range (rows outside it wait for the next step, as their
// partitions may not exist), $5 oldest chunk bucket kept, $6 oldest rollup bucket kept.
const FOLD = `
WITH taken AS (
  DELETE FROM sample_batches
  WHERE ctid = ANY (ARRAY(
    SELECT ctid FROM sample_batches
    WHERE to_ms < $1 AND from_ms >= $3 AND to_ms <= $4
    ORDER BY to_ms LIMIT $2
    FOR UPDATE SKIP LOCKED))
  RETURNING host_id, series_ids, times_ms, vals
), x AS (
  SELECT u.series_id, u.t_ms, u.value, ${bucketStartSql('u.t_ms', W)} AS bucket
  FROM taken CROSS JOIN LATERAL unnest(taken.series_ids, taken.times_ms, taken.vals)
    AS u (series_id, t_ms, value)
), chunks AS (
  INSERT INTO sample_chunks (series_id, bucket_ms, times_ms, vals)
  SELECT series_id, bucket, array_agg(t_ms ORDER BY t_ms, value),
    array_agg(value ORDER BY t_ms, value)
  FROM x WHERE bucket >= $5
  GROUP BY series_id, bucket
  RETURNING 1
), rolled AS (
  INSERT INTO samples_5m AS r (series_id, bucket_ms, min_value, max_value, sum_value, count,
    last_ms, last_value)
  SELECT series_id, bucket, min(value), max(value), sum(value), count(*), max(t_ms),
    (array_agg(value ORDER BY t_ms DESC, value DESC))[1]
  FROM x WHERE bucket >= $6
  GROUP BY series_id, bucket
  ON CONFLICT (series_id, bucket_ms) DO UPDATE SET
    min_value = LEAST(r.min_value, excluded.min_value),
    max_value = GREATEST(r.max_value, excluded.max_value),
    sum_value = r.sum_value + excluded.sum_value,
    count = r.count + excluded.count,
    last_ms = GREATEST(r.last_ms, excluded.last_ms),
    last_value = CASE
      WHEN excluded.last_ms > r.last_ms THEN excluded.last_value
      WHEN excluded.last_ms < r.last_ms THEN r.last_value
      ELSE GREATEST(r.last_value, excluded.last_value) END
)
SELECT count(*)::int AS rows, coalesce(sum(cardinality(times_ms)), 0)::int AS samples,
  (SELECT count(*) FROM chunks)::int AS chunks, ARRAY(SELECT DISTINCT host_id FROM taken) AS hosts
FROM taken`;

const OLDEST_WAITING = 'SELECT min(from_ms) AS from_ms FROM sample_batches';

export async function foldPostgres(
  client: pg.PoolClient,
  policy: StoragePolicy,
  nowMs: number,
): Promise<MaintenanceResult> {
  const cut = bucketStart(nowMs - IN_FLIGHT_MARGIN_MS, W);
  const oldestChunk = bucketStart(nowMs - policy.rawRetentionMs, W);
  const oldestRollup = bucketStart(nowMs - policy.rollupRetentionMs, W);
  const created: string[] = [];
  const hosts = new Set<string>();
  let samples = 0;
  let chunks = 0;
  const started = performance.now();
  for (;;) {
    const peek = (await client.query<PeekRow>(PEEK, [cut, ROWS_PER_STEP])).rows[0];
    if (!peek || peek.from_ms === null || peek.to_ms === null) {
      await recordRolledThrough(client, cut);
      break;
    }
    // bigint[] arrives as strings (pool.ts parses single bigints only).
    const days = peek.days.map(Number);
    created.push(...(await partitionsFor(client, days, oldestChunk, oldestRollup)));
    const params = [cut, ROWS_PER_STEP, peek.from_ms, peek.to_ms, oldestChunk, oldestRollup];
    const step = (await client.query<FoldRow>(FOLD, params)).rows[0];
    samples += step?.samples ?? 0;
    chunks += step?.chunks ?? 0;
    for (const host of step?.hosts ?? []) hosts.add(host);
    // Nothing taken: another replica's step holds those rows; it finishes them.
    if (!step || step.rows === 0 || performance.now() - started > RUN_BUDGET_MS) break;
  }
  const done = { hosts: hosts.size, rolledSamples: samples, writtenChunks: chunks };
  return { ...NOTHING_DONE, created, ...done };
}

interface FoldRow {
  rows: number;
  samples: number;
  chunks: number;
  hosts: string[];
}

interface PeekRow {
  from_ms: number | null;
  to_ms: number | null;
  days: string[];
}

async function partitionsFor(
  client: pg.PoolClient,
  days: readonly number[],
  oldestChunk: number,
  oldestRollup: number,
): Promise<string[]> {
  // hostpulse_ensure_partition() takes any time in a month for its monthly partition.
  return [
    ...(await ensurePartitions(client, 'sample_chunks', daysAfter(days, oldestChunk))),
    ...(await ensurePartitions(client, 'samples_5m', daysAfter(days, oldestRollup))),
  ];
}

/** The days that end after `oldestMs`: those that can hold a bucket still kept. */
function daysAfter(days: readonly number[], oldestMs: number): number[] {
  return days.filter((day) => day + DAY_MS > oldestMs);
}

/** Rollups are complete up to the cut, or to the bucket of the oldest sample still waiting. */
async function recordRolledThrough(client: pg.PoolClient, cut: number): Promise<void> {
  const waiting = (await client.query<{ from_ms: number | null }>(OLDEST_WAITING)).rows[0]?.from_ms ?? null;
  const through = waiting === null ? cut : Math.min(cut, bucketStart(waiting, W));
  await advanceState(client, 'rolled_through_ms', through);
}
