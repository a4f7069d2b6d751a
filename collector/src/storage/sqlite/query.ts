import { checkQueryRequest, groupPoints, tooManyPoints } from '../query-limits.js';
import { bucketStartSql, ROLLUP_BUCKET_MS } from '../policy.js';
import { planQuery, wholeRawFromMs } from '../resolution.js';
import type { Aggregation, Labels, QueryRequest, SeriesResult } from '../storage.js';
import { readMaintenanceState } from './maintenance-state.js';
import type { StatementCache } from './open-database.js';

// The same two steps as on PostgreSQL: the series of the metric (host and label filters run
// here in JS: a metric has one series per host and label set, a few thousand at most), then
// their points from the (series_id, t_ms) index, cut at maxPoints + 1 rows. Rollups answer
// as on PostgreSQL (postgres/query.ts, resolution.ts).

const W = ROLLUP_BUCKET_MS;

const SERIES = `
SELECT s.id, s.host_id, h.name AS host_name, s.labels
FROM series s JOIN hosts h ON h.id = s.host_id
WHERE s.metric = ?
ORDER BY h.name, s.host_id, s.labels_key`;

const PICKED = `
SELECT series_id, t_ms, value, ${bucketStartSql('t_ms', '@step')} AS bucket FROM samples
WHERE series_id IN (SELECT value FROM json_each(@ids)) AND t_ms >= @fromMs AND t_ms <= @toMs`;

// Two samples at one time come smaller first (the (series_id, t_ms, value) index order), so
// the last raw point of a series is the one `last` picks.
const RAW = `
SELECT series_id, t_ms, value FROM samples
WHERE series_id IN (SELECT value FROM json_each(@ids)) AND t_ms >= @fromMs AND t_ms <= @toMs
ORDER BY series_id, t_ms, value
LIMIT @limit`;

// `last` is the newest sample, the larger value among samples at that time, as on PostgreSQL
// (docs/storage.md). SQLite takes the bare column `value` from the row that gave max(t_ms), an
// arbitrary one of rows that tie; so `last` reads one row per time first, its largest value,
// and the row with max(t_ms) is then the only one.
const AGGREGATES: Readonly<Record<Aggregation, string>> = {
  avg: 'avg(value) AS value',
  min: 'min(value) AS value',
  max: 'max(value) AS value',
  last: 'value, max(t_ms) AS newest',
};

function steppedSql(agg: Aggregation): string {
  const points = agg === 'last'
    ? `SELECT series_id, bucket, t_ms, max(value) AS value FROM (${PICKED})
       GROUP BY series_id, t_ms`
    : PICKED;
  return `
SELECT series_id, bucket AS t_ms, ${AGGREGATES[agg]}
FROM (${points})
GROUP BY series_id, bucket
ORDER BY series_id, bucket
LIMIT @limit`;
}

// The rollups the job finished, and raw samples at the edges, as the same partial aggregates.
// The two edges are two parts rather than one OR: so SQLite bounds each by the (series_id, t_ms)
// index, where the OR made it read every raw sample of the series.
// Samples that arrived late, into buckets the job already rolled up, wait in raw samples with
// their host's range in rollup_pending until the next run recomputes those buckets (rollup.ts).
// So that they count at once, as on PostgreSQL, and once: for a series whose host has such a
// range, the buckets of the rollup range it touches come from raw samples instead of their
// rollups (`stale`, per series [sf, st); sf >= st when none), from the first bucket the job
// can recompute (@wholeRawFrom, resolution.ts): an older bucket keeps its rollup, as the job
// does. rollup_pending has one row per host, found by its key for each series asked for; the
// usual rows, for the minutes since the last run, fail `from_ms < @rollupTo`, so `stale` is
// then empty and the rollups are read as they were without it.
const STALE = `
stale AS MATERIALIZED (
  SELECT s.id AS series_id,
    max(${bucketStartSql('p.from_ms', W)}, @rollupFrom, @wholeRawFrom) AS sf,
    min(${bucketStartSql('p.to_ms', W)} + ${W}, @rollupTo) AS st
  FROM rollup_pending p JOIN series s ON s.host_id = p.host_id
  WHERE p.from_ms < @rollupTo AND p.to_ms >= @rollupFrom
    AND s.id IN (SELECT value FROM json_each(@ids))
)`;

const ROLLUP_COLUMNS = `series_id, ${bucketStartSql('bucket_ms', '@step')} AS bucket,
    min_value AS mn, max_value AS mx, sum_value AS sm, count AS n, last_ms AS lt, last_value AS lv`;
const RAW_COLUMNS =
  `series_id, ${bucketStartSql('t_ms', '@step')}, value, value, value, 1, t_ms, value`;

const MIXED_PARTS = `
  SELECT ${ROLLUP_COLUMNS}
  FROM samples_5m
  WHERE series_id IN (
      SELECT value FROM json_each(@ids) WHERE value NOT IN (SELECT series_id FROM stale))
    AND bucket_ms >= @rollupFrom AND bucket_ms < @rollupTo
  UNION ALL
  SELECT ${ROLLUP_COLUMNS}
  FROM stale x JOIN samples_5m r USING (series_id)
  WHERE r.bucket_ms >= @rollupFrom AND r.bucket_ms < @rollupTo
    AND (r.bucket_ms < x.sf OR r.bucket_ms >= x.st)
  UNION ALL
  SELECT ${RAW_COLUMNS}
  FROM stale x JOIN samples r USING (series_id)
  WHERE r.t_ms >= x.sf AND r.t_ms < x.st
  UNION ALL
  SELECT ${RAW_COLUMNS}
  FROM samples
  WHERE series_id IN (SELECT value FROM json_each(@ids)) AND t_ms >= @from1 AND t_ms <= @to1
  UNION ALL
  SELECT ${RAW_COLUMNS}
  FROM samples
  WHERE series_id IN (SELECT value FROM json_each(@ids)) AND t_ms >= @from2 AND t_ms <= @to2`;

// Over partial aggregates; for `last`, one row per newest time (lt) first, as above, then the
// bare lv comes from the row that gave max(lt).
const FINAL: Readonly<Record<Aggregation, string>> = {
  avg: 'sum(sm) / sum(n) AS value',
  min: 'min(mn) AS value',
  max: 'max(mx) AS value',
  last: 'lv AS value, max(lt) AS newest',
};

function mixedSql(agg: Aggregation): string {
  const parts = agg === 'last'
    ? `SELECT series_id, bucket, lt, max(lv) AS lv FROM (${MIXED_PARTS})
       GROUP BY series_id, bucket, lt`
    : MIXED_PARTS;
  return `
WITH ${STALE}
SELECT series_id, bucket AS t_ms, ${FINAL[agg]}
FROM (${parts})
GROUP BY series_id, bucket
ORDER BY series_id, bucket
LIMIT @limit`;
}

interface SeriesRow {
  id: number;
  host_id: string;
  host_name: string;
  labels: string;
}

interface PointRow {
  series_id: number;
  t_ms: number;
  value: number;
}

export function querySqlite(statements: StatementCache, request: QueryRequest): SeriesResult[] {
  checkQueryRequest(request);
  const hostIds = request.hostIds ? new Set(request.hostIds) : undefined;
  const series = (statements.get(SERIES).all(request.metric) as SeriesRow[])
    .map((row) => ({ ...row, labels: JSON.parse(row.labels) as Labels }))
    .filter((row) => (!hostIds || hostIds.has(row.host_id)) && matchesLabels(row.labels, request.labels));
  if (series.length === 0) return [];

  const params = {
    ids: JSON.stringify(series.map((row) => row.id)),
    fromMs: request.fromMs,
    toMs: request.toMs,
    limit: request.maxPoints + 1,
  };
  const rows = readPoints(statements, request, params);
  if (rows.length > request.maxPoints) throw tooManyPoints(request);

  const bySeries = groupPoints(rows.map((row) => ({ seriesId: row.series_id, tMs: row.t_ms, value: row.value })));
  // A series without a point in the range is left out, as if it did not exist then.
  return series
    .filter((row) => bySeries.has(row.id))
    .map((row) => ({
      metric: request.metric,
      hostId: row.host_id,
      hostName: row.host_name,
      labels: row.labels,
      points: bySeries.get(row.id) ?? [],
    }));
}

function readPoints(
  statements: StatementCache,
  request: QueryRequest,
  params: { ids: string; fromMs: number; toMs: number; limit: number },
): PointRow[] {
  if (request.stepMs === undefined) return statements.get(RAW).all(params) as PointRow[];
  const step = request.stepMs;
  const state = readMaintenanceState(statements);
  const plan = planQuery(request, state);
  if (!plan.rollup) {
    return statements.get(steppedSql(request.agg)).all({ ...params, step }) as PointRow[];
  }
  const [from1, to1] = plan.raw[0] ?? [1, 0];
  const [from2, to2] = plan.raw[1] ?? [1, 0];
  const { ids, limit } = params;
  const { fromMs: rollupFrom, toMs: rollupTo } = plan.rollup;
  const wholeRawFrom = wholeRawFromMs(state) ?? rollupFrom;
  const mixed = { ids, limit, step, rollupFrom, rollupTo, wholeRawFrom, from1, to1, from2, to2 };
  return statements.get(mixedSql(request.agg)).all(mixed) as PointRow[];
}

function matchesLabels(labels: Labels, wanted: Labels): boolean {
  return Object.entries(wanted).every(([name, value]) => labels[name] === value);
}
