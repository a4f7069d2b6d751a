import type { HostRecord, LatestValue, StoredEvent, StoredGap } from '../storage.js';
import type { StatementCache } from './open-database.js';

const HOST_COLUMNS = `id, name, labels, agent_version, first_seen_ms, last_seen_ms, interval_ms,
  clock_skew_ms, state, inventory`;

interface HostRow {
  id: string;
  name: string;
  labels: string;
  agent_version: string;
  first_seen_ms: number;
  last_seen_ms: number;
  interval_ms: number;
  clock_skew_ms: number;
  state: 'up' | 'stopped';
  inventory: string | null;
}

export function listHostsSqlite(statements: StatementCache): HostRecord[] {
  const rows = statements.get(`SELECT ${HOST_COLUMNS} FROM hosts ORDER BY name, id`).all() as HostRow[];
  return rows.map(toHostRecord);
}

/** By id first; among hosts sharing the name, the one seen last. */
export function findHostSqlite(statements: StatementCache, idOrName: string): HostRecord | undefined {
  const row = statements
    .get(
      `SELECT ${HOST_COLUMNS} FROM hosts WHERE id = @key OR name = @key
       ORDER BY (id = @key) DESC, last_seen_ms DESC LIMIT 1`,
    )
    .get({ key: idOrName }) as HostRow | undefined;
  return row ? toHostRecord(row) : undefined;
}

// One index probe per series of the host, newest first: fast however long the history is. Two
// samples at one time: the larger value is the newest, as for `last` in queries (query.ts).
const LATEST = `
SELECT s.metric, s.labels, p.t_ms, p.value
FROM series s
JOIN samples p ON p.rowid = (
  SELECT rowid FROM samples WHERE series_id = s.id ORDER BY t_ms DESC, value DESC LIMIT 1
)
WHERE s.host_id = ?
ORDER BY s.metric, s.labels_key`;

export function latestSqlite(statements: StatementCache, hostId: string): LatestValue[] {
  const rows = statements.get(LATEST).all(hostId) as { metric: string; labels: string; t_ms: number; value: number }[];
  return rows.map((row) => ({ metric: row.metric, labels: JSON.parse(row.labels), timeMs: row.t_ms, value: row.value }));
}

export function eventsSqlite(statements: StatementCache, hostId: string, sinceMs: number): StoredEvent[] {
  const rows = statements
    .get('SELECT t_ms, kind, labels, message FROM events WHERE host_id = ? AND t_ms >= ? ORDER BY t_ms, id')
    .all(hostId, sinceMs) as { t_ms: number; kind: string; labels: string; message: string }[];
  return rows.map((row) => ({
    hostId,
    timeMs: row.t_ms,
    kind: row.kind,
    labels: JSON.parse(row.labels),
    message: row.message,
  }));
}

export function gapsSqlite(statements: StatementCache, hostId: string): StoredGap[] {
  const rows = statements
    .get('SELECT from_ms, to_ms, batches, reason FROM gaps WHERE host_id = ? ORDER BY from_ms, id')
    .all(hostId) as { from_ms: number; to_ms: number; batches: number; reason: string }[];
  return rows.map((row) => ({ hostId, fromMs: row.from_ms, toMs: row.to_ms, batches: row.batches, reason: row.reason }));
}

function toHostRecord(row: HostRow): HostRecord {
  return {
    id: row.id,
    name: row.name,
    labels: JSON.parse(row.labels),
    agentVersion: row.agent_version,
    firstSeenMs: row.first_seen_ms,
    lastSeenMs: row.last_seen_ms,
    intervalMs: row.interval_ms,
    clockSkewMs: row.clock_skew_ms,
    state: row.state,
    inventory: row.inventory === null ? null : JSON.parse(row.inventory),
  };
}
