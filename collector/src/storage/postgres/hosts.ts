import type pg from 'pg';
import type { HostRecord, LatestValue, StoredEvent, StoredGap } from '../storage.js';

// Reads of hosts and of what arrived with their batches. Names sort with COLLATE "C" so both
// backends list them in the same order.

const HOST_COLUMNS = `id, name, labels, agent_version, first_seen_ms, last_seen_ms, interval_ms,
  clock_skew_ms, state, inventory`;

interface HostRow {
  id: string;
  name: string;
  labels: Record<string, string>;
  agent_version: string;
  first_seen_ms: number;
  last_seen_ms: number;
  interval_ms: number;
  clock_skew_ms: number;
  state: 'up' | 'stopped';
  inventory: HostRecord['inventory'];
}

export async function listHostsPostgres(pool: pg.Pool): Promise<HostRecord[]> {
  const result = await pool.query<HostRow>(
    `SELECT ${HOST_COLUMNS} FROM hosts ORDER BY name COLLATE "C", id COLLATE "C"`,
  );
  return result.rows.map(toHostRecord);
}

/** By id first; among hosts sharing the name, the one seen last. */
export async function findHostPostgres(pool: pg.Pool, idOrName: string): Promise<HostRecord | undefined> {
  const result = await pool.query<HostRow>(
    `SELECT ${HOST_COLUMNS} FROM hosts WHERE id = $1 OR name = $1
     ORDER BY (id = $1) DESC, last_seen_ms DESC LIMIT 1`,
    [idOrName],
  );
  const row = result.rows[0];
  return row ? toHostRecord(row) : undefined;
}

// Per series of the host, the newest of: the points of its newest 5-minute bucket of chunks
// (one index probe; a late batch can give a bucket two chunks, so all of that bucket's are
// read) and its points in the host's batch rows not folded yet (the last few minutes). Fast
// however long the history is. Two points at one time: the larger value is the newest, as for
// `last` in queries (query.ts).
const LATEST = `
WITH waiting AS (
  SELECT DISTINCT ON (u.series_id) u.series_id, u.t_ms, u.value
  FROM sample_batches b
  CROSS JOIN LATERAL unnest(b.series_ids, b.times_ms, b.vals) AS u (series_id, t_ms, value)
  WHERE b.host_id = $1
  ORDER BY u.series_id, u.t_ms DESC, u.value DESC
)
SELECT s.metric, s.labels, p.t_ms, p.value
FROM series s
LEFT JOIN waiting w ON w.series_id = s.id
LEFT JOIN LATERAL (
  SELECT u.t_ms, u.value
  FROM sample_chunks x CROSS JOIN LATERAL unnest(x.times_ms, x.vals) AS u (t_ms, value)
  WHERE x.series_id = s.id
    AND x.bucket_ms = (SELECT max(bucket_ms) FROM sample_chunks WHERE series_id = s.id)
  ORDER BY u.t_ms DESC, u.value DESC LIMIT 1
) AS c ON true
CROSS JOIN LATERAL (
  SELECT v.t_ms, v.value FROM (VALUES (w.t_ms, w.value), (c.t_ms, c.value)) AS v (t_ms, value)
  WHERE v.t_ms IS NOT NULL
  ORDER BY v.t_ms DESC, v.value DESC LIMIT 1
) AS p
WHERE s.host_id = $1
ORDER BY s.metric COLLATE "C", s.labels_key COLLATE "C"`;

export async function latestPostgres(pool: pg.Pool, hostId: string): Promise<LatestValue[]> {
  const result = await pool.query<{ metric: string; labels: Record<string, string>; t_ms: number; value: number }>(
    LATEST,
    [hostId],
  );
  return result.rows.map((row) => ({ metric: row.metric, labels: row.labels, timeMs: row.t_ms, value: row.value }));
}

export async function eventsPostgres(pool: pg.Pool, hostId: string, sinceMs: number): Promise<StoredEvent[]> {
  const result = await pool.query<{ t_ms: number; kind: string; labels: Record<string, string>; message: string }>(
    'SELECT t_ms, kind, labels, message FROM events WHERE host_id = $1 AND t_ms >= $2 ORDER BY t_ms, id',
    [hostId, sinceMs],
  );
  return result.rows.map((row) => ({
    hostId,
    timeMs: row.t_ms,
    kind: row.kind,
    labels: row.labels,
    message: row.message,
  }));
}

export async function gapsPostgres(pool: pg.Pool, hostId: string): Promise<StoredGap[]> {
  const result = await pool.query<{ from_ms: number; to_ms: number; batches: number; reason: string }>(
    'SELECT from_ms, to_ms, batches, reason FROM gaps WHERE host_id = $1 ORDER BY from_ms, id',
    [hostId],
  );
  return result.rows.map((row) => ({
    hostId,
    fromMs: row.from_ms,
    toMs: row.to_ms,
    batches: row.batches,
    reason: row.reason,
  }));
}

function toHostRecord(row: HostRow): HostRecord {
  return {
    id: row.id,
    name: row.name,
    labels: row.labels,
    agentVersion: row.agent_version,
    firstSeenMs: row.first_seen_ms,
    lastSeenMs: row.last_seen_ms,
    intervalMs: row.interval_ms,
    clockSkewMs: row.clock_skew_ms,
    state: row.state,
    inventory: row.inventory ?? null,
  };
}
