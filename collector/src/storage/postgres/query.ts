import type pg from 'pg';
import { checkQueryRequest, groupPoints, tooManyPoints } from '../query-limits.js';
import { planQuery, type QueryPlan } from '../resolution.js';
import type { Aggregation, QueryRequest, SeriesResult } from '../storage.js';
import { readMaintenanceState } from './maintenance-state.js';
import { bucketStartSql, ROLLUP_BUCKET_MS } from '../policy.js';

// A query is two statements: the matching series (few, with their host names), then their
// points, cut at maxPoints + 1 rows. Raw points live in two tables (migration 011): the 5-minute
// chunks of each series, found through the (series_id, bucket_ms) index, and the batch rows not
// folded yet (the last few minutes, and batches that arrived late), found through their hosts.
// The time bounds let PostgreSQL read only the daily partitions of the range. A stepped query
// that resolution.ts sends to rollups reads samples_5m for the buckets the rollup job finished
// and raw points for the edges, both as partial aggregates that one GROUP BY combines.

const W = ROLLUP_BUCKET_MS;

const SERIES = `
SELECT s.id, s.host_id, h.name AS host_name, s.labels
FROM series s JOIN hosts h ON h.id = s.host_id
WHERE s.metric = $1
  AND ($2::text[] IS NULL OR s.host_id = ANY($2))
  AND s.labels @> $3::jsonb
ORDER BY h.name COLLATE "C", s.host_id COLLATE "C", s.labels_key COLLATE "C"`;

/**
 * The raw points (series_id, t_ms, value) of the series `ids` (of the hosts `hosts`) from
 * `from` to `to` inclusive, all placeholders; in no particular order.
 */
function rawPoints(ids: string, hosts: string, from: string, to: string): string {
  return `${chunkPoints(ids, from, to)}
  UNION ALL${waitingPoints(ids, hosts, from, to)}`;
}

/** The same from the folded chunks only. */
function chunkPoints(ids: string, from: string, to: string): string {
  return `
  SELECT c.series_id, u.t_ms, u.value
  FROM sample_chunks c CROSS JOIN LATERAL unnest(c.times_ms, c.vals) AS u (t_ms, value)
  WHERE c.series_id = ANY(${ids}::int[]) AND c.bucket_ms > ${from}::bigint - ${W} AND c.bucket_ms <= ${to}
    AND u.t_ms >= ${from} AND u.t_ms <= ${to}`;
}

/** The same from the batch rows not folded yet only: what the rollups do not hold yet. */
function waitingPoints(ids: string, hosts: string, from: string, to: string): string {
  return `
  SELECT u.series_id, u.t_ms, u.value
  FROM sample_batches b
  CROSS JOIN LATERAL unnest(b.series_ids, b.times_ms, b.vals) AS u (series_id, t_ms, value)
  WHERE b.host_id = ANY(${hosts}::text[]) AND b.to_ms >= ${from} AND b.from_ms <= ${to}
    AND u.series_id = ANY(${ids}::int[]) AND u.t_ms >= ${from} AND u.t_ms <= ${to}`;
}

// Two samples at one time (docs/storage.md, "Two samples at one time") come smaller first, so
// the last raw point of a series is the one `last` picks.
const RAW = `
SELECT series_id, t_ms, value FROM (${rawPoints('$1', '$5', '$2', '$3')}
) AS points
ORDER BY series_id, t_ms, value
LIMIT $4`;

// Buckets start at floor(t / step) * step; the double modulo keeps that true before 1970 too.
// `last` is the newest sample, the larger value among samples at that time, here, in the
// rollups (fold.ts) and on SQLite alike.
const AGGREGATES: Readonly<Record<Aggregation, string>> = {
  avg: 'avg(value)',
  min: 'min(value)',
  max: 'max(value)',
  last: '(array_agg(value ORDER BY t_ms DESC, value DESC))[1]',
};

function steppedSql(agg: Aggregation): string {
  return `
SELECT series_id, bucket AS t_ms, ${AGGREGATES[agg]} AS value
FROM (
  SELECT series_id, t_ms, value, ${bucketStartSql('t_ms', '$5')} AS bucket
  FROM (${rawPoints('$1', '$6', '$2', '$3')}
  ) AS points
) AS picked
GROUP BY series_id, bucket
ORDER BY series_id, bucket
LIMIT $4`;
}

// Partial aggregates: min, max, sum, count, time and value of the newest. The chunks are read
// for the raw edges only; the batch rows not folded yet are read over the whole range, since
// inside the rollup buckets they are what the rollups do not hold yet (a batch that arrived
// late): the fold deletes a row in the statement that merges it into the rollups, so each
// sample counts once, and a late batch shows at once, not at the next run.
const FINAL: Readonly<Record<Aggregation, string>> = {
  avg: 'sum(sm) / sum(n)',
  min: 'min(mn)',
  max: 'max(mx)',
  last: '(array_agg(lv ORDER BY lt DESC, lv DESC))[1]',
};

function mixedSql(agg: Aggregation): string {
  return `
SELECT series_id, bucket AS t_ms, ${FINAL[agg]} AS value
FROM (
  SELECT series_id, ${bucketStartSql('bucket_ms', '$5')} AS bucket, min_value AS mn,
    max_value AS mx, sum_value AS sm, count AS n, last_ms AS lt, last_value AS lv
  FROM samples_5m
  WHERE series_id = ANY($1::int[]) AND bucket_ms >= $2 AND bucket_ms < $3
  UNION ALL
  SELECT series_id, ${bucketStartSql('t_ms', '$5')}, value, value, value, 1, t_ms, value
  FROM (${chunkPoints('$1', '$6', '$7')}
    UNION ALL${chunkPoints('$1', '$8', '$9')}
    UNION ALL${waitingPoints('$1', '$10', '$11', '$12')}
  ) AS points
) AS parts
GROUP BY series_id, bucket
ORDER BY series_id, bucket
LIMIT $4`;
}

export async function queryPostgres(pool: pg.Pool, request: QueryRequest): Promise<SeriesResult[]> {
  checkQueryRequest(request);
  const series = await pool.query<{ id: number; host_id: string; host_name: string; labels: Record<string, string> }>(
    SERIES,
    [request.metric, request.hostIds ?? null, JSON.stringify(request.labels)],
  );
  if (series.rows.length === 0) return [];

  const ids = series.rows.map((row) => row.id);
  const hosts = [...new Set(series.rows.map((row) => row.host_id))];
  const points = await readPoints(pool, request, ids, hosts, request.maxPoints + 1);
  if (points.rows.length > request.maxPoints) throw tooManyPoints(request);

  const bySeries = groupPoints(points.rows.map((row) => ({ seriesId: row.series_id, tMs: row.t_ms, value: row.value })));
  // A series without a point in the range is left out, as if it did not exist then.
  return series.rows
    .filter((row) => bySeries.has(row.id))
    .map((row) => ({
      metric: request.metric,
      hostId: row.host_id,
      hostName: row.host_name,
      labels: row.labels,
      points: bySeries.get(row.id) ?? [],
    }));
}

async function readPoints(
  pool: pg.Pool,
  request: QueryRequest,
  ids: number[],
  hosts: string[],
  limit: number,
) {
  const { fromMs, toMs, stepMs } = request;
  if (stepMs === undefined) return pool.query<PointRow>(RAW, [ids, fromMs, toMs, limit, hosts]);
  const plan = planQuery(request, await readMaintenanceState(pool));
  if (!plan.rollup) {
    return pool.query<PointRow>(steppedSql(request.agg), [ids, fromMs, toMs, limit, stepMs, hosts]);
  }
  const [first, second] = rawPieces(plan);
  // The whole first bucket comes from its rollup even when it starts before `from` (before the
  // raw samples kept): its rows not folded yet count from the same start.
  const waitingFrom = Math.min(fromMs, plan.rollup.fromMs);
  const rollup = [plan.rollup.fromMs, plan.rollup.toMs];
  const values = [ids, ...rollup, limit, stepMs, ...first, ...second, hosts, waitingFrom, toMs];
  return pool.query<PointRow>(mixedSql(request.agg), values);
}

/** The plan's raw ranges as two inclusive pairs; an empty one never matches (from > to). */
function rawPieces(plan: QueryPlan): [readonly [number, number], readonly [number, number]] {
  const none = [1, 0] as const;
  return [plan.raw[0] ?? none, plan.raw[1] ?? none];
}

interface PointRow {
  series_id: number;
  t_ms: number;
  value: number;
}
