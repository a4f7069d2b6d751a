import type pg from 'pg';
import { checkQueryRequest, groupPoints, tooManyPoints } from '../query-limits.js';
import type { Aggregation, QueryRequest, SeriesResult } from '../storage.js';

// A query is two statements: the matching series (few, with their host names), then their
// points in one scan of the (series_id, t_ms) index, cut at maxPoints + 1 rows.

const SERIES = `
SELECT s.id, s.host_id, h.name AS host_name, s.labels
FROM series s JOIN hosts h ON h.id = s.host_id
WHERE s.metric = $1
  AND ($2::text[] IS NULL OR s.host_id = ANY($2))
  AND s.labels @> $3::jsonb
ORDER BY h.name COLLATE "C", s.host_id COLLATE "C", s.labels_key COLLATE "C"`;

const RAW = `
SELECT series_id, t_ms, value FROM samples
WHERE series_id = ANY($1::int[]) AND t_ms >= $2 AND t_ms <= $3
ORDER BY series_id, t_ms
LIMIT $4`;

// Buckets start at floor(t / step) * step; the double modulo keeps that true before 1970 too.
const AGGREGATES: Readonly<Record<Aggregation, string>> = {
  avg: 'avg(value)',
  min: 'min(value)',
  max: 'max(value)',
  last: '(array_agg(value ORDER BY t_ms DESC))[1]',
};

function steppedSql(agg: Aggregation): string {
  return `
SELECT series_id, bucket AS t_ms, ${AGGREGATES[agg]} AS value
FROM (
  SELECT series_id, t_ms, value, t_ms - (((t_ms % $5) + $5) % $5) AS bucket FROM samples
  WHERE series_id = ANY($1::int[]) AND t_ms >= $2 AND t_ms <= $3
) AS picked
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
  const limit = request.maxPoints + 1;
  const points =
    request.stepMs === undefined
      ? await pool.query<PointRow>(RAW, [ids, request.fromMs, request.toMs, limit])
      : await pool.query<PointRow>(steppedSql(request.agg), [ids, request.fromMs, request.toMs, limit, request.stepMs]);
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

interface PointRow {
  series_id: number;
  t_ms: number;
  value: number;
}
