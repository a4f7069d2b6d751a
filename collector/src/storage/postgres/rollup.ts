import type pg from 'pg';
import { bucketStart, ROLLUP_BUCKET_MS, type StoragePolicy } from '../policy.js';
import type { MaintenanceResult } from '../storage.js';
import { advanceState } from './maintenance-state.js';
import { ensurePartitions, monthStarts } from './partitions.js';

// The rollup job: every ingest statement widens its host's row in rollup_pending to the sample
// times it stored; this job takes those rows and recomputes, from raw samples, every 5-minute
// bucket they touch (min, max, sum, count and last of each series), overwriting older rollups
// of those buckets. Recomputing whole buckets makes a run idempotent and lets late data (an
// agent's buffer after an outage) land in the right buckets.
// - Rows are taken in host order, the order ingest statements lock them in, so the two never
//   wait on each other in a cycle.
// - Taking rows (DELETE ... RETURNING) waits for ingest statements holding them, and the
//   INSERT that follows is a later statement, so it sees the samples those rows stand for.
// - A host's range is cut at MAX_SPAN_MS per step, the rest put back (from its next sample on)
//   and taken by a later step, so a long backlog is worked off in transactions far from the
//   statement timeout.
// - A run that emptied rollup_pending records in rolled_through_ms that buckets ending a minute
//   before the run started are complete: samples sent earlier have committed (or failed) by
//   then. A run stopped by its time budget records nothing; the next one goes on.

// Ingest statements of a host wait while a step holds its rollup_pending row, so a step is kept
// short: with 500 hosts a step of a 10,000-host fleet held ingest for over a second.
const HOSTS_PER_STEP = 100;
const MAX_SPAN_MS = 6 * 3_600_000;
const IN_FLIGHT_MARGIN_MS = 60_000;
/** Well under the job's period, so a backlog is worked off over several runs. */
const RUN_BUDGET_MS = 45_000;

const PEEK = 'SELECT host_id, from_ms, to_ms FROM rollup_pending ORDER BY host_id LIMIT $1';

// Where each host's next samples after a cut are: a range with a long empty stretch (a clock
// far off for one batch) is then walked in a few steps, not one per 6 hours.
const NEXT_SAMPLES = `
SELECT p.host_id, p.to_ms, (
  SELECT min(x.t_ms) FROM series se
  CROSS JOIN LATERAL (
    SELECT t_ms FROM samples
    WHERE series_id = se.id AND t_ms >= p.from_ms AND t_ms <= p.to_ms
    ORDER BY t_ms LIMIT 1
  ) AS x
  WHERE se.host_id = p.host_id
) AS next_ms
FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS p (host_id, from_ms, to_ms)`;

const TAKE = `
DELETE FROM rollup_pending
WHERE host_id IN (SELECT host_id FROM rollup_pending ORDER BY host_id LIMIT $1 FOR UPDATE)
RETURNING host_id, from_ms, to_ms`;

const PUT_BACK = `
INSERT INTO rollup_pending (host_id, from_ms, to_ms)
SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[])
ON CONFLICT (host_id) DO UPDATE SET
  from_ms = LEAST(rollup_pending.from_ms, excluded.from_ms),
  to_ms = GREATEST(rollup_pending.to_ms, excluded.to_ms)`;

const W = ROLLUP_BUCKET_MS;
// $4 and $5 bound the whole step (the smallest `from`, the largest `to` of its hosts) as
// constants: the planner cannot see through the unnest, and without them one run read every
// raw sample of every partition for the hosts it took (minutes past a few hundred hosts).
export const ROLL_UP = `
INSERT INTO samples_5m (series_id, bucket_ms, min_value, max_value, sum_value, count, last_ms,
  last_value)
SELECT x.series_id, x.t_ms - (((x.t_ms % ${W}) + ${W}) % ${W}),
  min(x.value), max(x.value), sum(x.value), count(*), max(x.t_ms),
  (array_agg(x.value ORDER BY x.t_ms DESC))[1]
FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS p (host_id, from_ms, to_ms)
JOIN series se ON se.host_id = p.host_id
JOIN samples x ON x.series_id = se.id AND x.t_ms >= p.from_ms AND x.t_ms < p.to_ms
  AND x.t_ms >= $4 AND x.t_ms < $5
GROUP BY 1, 2
ON CONFLICT (series_id, bucket_ms) DO UPDATE SET
  min_value = excluded.min_value, max_value = excluded.max_value, sum_value = excluded.sum_value,
  count = excluded.count, last_ms = excluded.last_ms, last_value = excluded.last_value`;

interface PendingRow {
  host_id: string;
  from_ms: number;
  to_ms: number;
}

export async function rollUpPostgres(
  client: pg.PoolClient,
  policy: StoragePolicy,
  nowMs: number,
): Promise<MaintenanceResult> {
  const oldest = bucketStart(nowMs - policy.rawRetentionMs, ROLLUP_BUCKET_MS);
  const created: string[] = [];
  let hosts = 0;
  const started = performance.now();
  for (;;) {
    // The monthly partitions the next step writes, made before its transaction: making one
    // locks samples_5m, which should not last while the step runs.
    const next = (await client.query<PendingRow>(PEEK, [HOSTS_PER_STEP])).rows;
    const months = new Set(next.flatMap((row) => monthsOf(stepOf(row, oldest))));
    created.push(...(await ensurePartitions(client, 'samples_5m', [...months])));

    const { taken, putBack } = await rollUpStep(client, oldest);
    hosts += taken;
    if (taken < HOSTS_PER_STEP && putBack === 0) {
      const through = bucketStart(nowMs - IN_FLIGHT_MARGIN_MS, ROLLUP_BUCKET_MS);
      await advanceState(client, 'rolled_through_ms', through);
      break;
    }
    if (performance.now() - started > RUN_BUDGET_MS) break;
  }
  return { ran: true, created, dropped: [], hosts, deletedRows: 0, deletedKeys: 0 };
}

/** One transaction: takes up to HOSTS_PER_STEP pending rows and recomputes their buckets. */
async function rollUpStep(
  client: pg.PoolClient,
  oldestMs: number,
): Promise<{ taken: number; putBack: number }> {
  await client.query('BEGIN');
  try {
    await client.query("SET LOCAL statement_timeout = '5min'");
    const taken = (await client.query<PendingRow>(TAKE, [HOSTS_PER_STEP])).rows;
    const now: Ranges = [[], [], []];
    const later: Ranges = [[], [], []];
    for (const row of taken) {
      const step = stepOf(row, oldestMs);
      if (!step) continue;
      push(now, row.host_id, step.from, step.cut);
      if (step.cut <= row.to_ms) push(later, row.host_id, step.cut, row.to_ms);
    }
    if (now[0].length > 0) await client.query(ROLL_UP, rollUpParams(now));
    const back = await putBack(client, later);
    await client.query('COMMIT');
    return { taken: taken.length, putBack: back };
  } catch (err) {
    // When the connection itself failed the server rolls back on its own; `err` is what the
    // job must report, so a second failure here is not worth more than the first.
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** Puts back what follows each cut, from its next sample on; returns how many rows. */
async function putBack(client: pg.PoolClient, later: Ranges): Promise<number> {
  if (later[0].length === 0) return 0;
  const next = await client.query<{ host_id: string; to_ms: number; next_ms: number | null }>(
    NEXT_SAMPLES,
    later,
  );
  const rows: Ranges = [[], [], []];
  for (const row of next.rows) {
    if (row.next_ms !== null) push(rows, row.host_id, row.next_ms, row.to_ms);
  }
  if (rows[0].length > 0) await client.query(PUT_BACK, rows);
  return rows[0].length;
}

/** The buckets [from, cut) one step recomputes for a pending row; undefined: nothing left. */
function stepOf(row: PendingRow, oldestMs: number): { from: number; cut: number } | undefined {
  const from = Math.max(bucketStart(row.from_ms, ROLLUP_BUCKET_MS), oldestMs);
  const to = bucketStart(row.to_ms, ROLLUP_BUCKET_MS) + ROLLUP_BUCKET_MS;
  if (to <= from) return undefined;
  return { from, cut: Math.min(to, from + MAX_SPAN_MS) };
}

function monthsOf(step: { from: number; cut: number } | undefined): number[] {
  return step ? monthStarts(step.from, step.cut - 1) : [];
}

type Ranges = [string[], number[], number[]];

/** The hosts' ranges and the step's bounds, as ROLL_UP takes them. */
export function rollUpParams(ranges: Ranges): unknown[] {
  return [...ranges, Math.min(...ranges[1]), Math.max(...ranges[2])];
}

function push(columns: Ranges, hostId: string, from: number, to: number): void {
  columns[0].push(hostId);
  columns[1].push(from);
  columns[2].push(to);
}
