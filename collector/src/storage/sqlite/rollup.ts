import { bucketStart, ROLLUP_BUCKET_MS } from '../policy.js';
import { wholeRawFromMs } from '../resolution.js';
import { NOTHING_DONE, type MaintenanceResult } from '../storage.js';
import { advanceState, readMaintenanceState } from './maintenance-state.js';
import type { StatementCache } from './open-database.js';

// The rollup job on the embedded store: take the pending ranges, recompute every 5-minute
// bucket they touch from raw samples and overwrite its rollup, aggregated here in JS over rows
// read in (series, time) order. A host's range is cut at MAX_SPAN_MS per transaction, the rest
// put back and taken by the next, so a backlog never holds the write lock for long. A bucket's
// newest sample, when two share its newest time, is the larger value, as `last` in queries
// (query.ts). A bucket before the first one retention left whole (wholeRawFromMs) is never
// recomputed: its rollup holds samples that are gone, so overwriting it from the raw samples
// still there would lose them. Queries leave such a bucket to its rollup and read the raw
// samples of the later ones (query.ts), so an answer does not change when a run takes the
// range. The limit is raw_from_ms, not now minus retention.raw: raw samples stay past that
// until retention runs, and a late one there counts in answers, so it must in the rollup.

const MAX_SPAN_MS = 6 * 3_600_000;
const IN_FLIGHT_MARGIN_MS = 60_000;

const TAKE = 'SELECT host_id, from_ms, to_ms FROM rollup_pending';
const CLEAR = 'DELETE FROM rollup_pending';
const PUT_BACK = 'INSERT INTO rollup_pending (host_id, from_ms, to_ms) VALUES (?, ?, ?)';
// Where the host's next samples after a cut are, so an empty stretch is skipped in one step.
const NEXT_SAMPLE = `
SELECT min(t_ms) AS t FROM samples
WHERE series_id IN (SELECT id FROM series WHERE host_id = ?) AND t_ms >= ? AND t_ms <= ?`;
const READ = `
SELECT series_id, t_ms, value FROM samples
WHERE series_id IN (SELECT id FROM series WHERE host_id = ?) AND t_ms >= ? AND t_ms < ?
ORDER BY series_id, t_ms, value`;
const UPSERT = `
INSERT INTO samples_5m (series_id, bucket_ms, min_value, max_value, sum_value, count, last_ms,
  last_value)
VALUES (@seriesId, @bucketMs, @min, @max, @sum, @count, @lastMs, @last)
ON CONFLICT (series_id, bucket_ms) DO UPDATE SET
  min_value = excluded.min_value, max_value = excluded.max_value, sum_value = excluded.sum_value,
  count = excluded.count, last_ms = excluded.last_ms, last_value = excluded.last_value`;

interface PendingRow {
  host_id: string;
  from_ms: number;
  to_ms: number;
}

interface SampleRow {
  series_id: number;
  t_ms: number;
  value: number;
}

interface Bucket {
  seriesId: number;
  bucketMs: number;
  min: number;
  max: number;
  sum: number;
  count: number;
  lastMs: number;
  last: number;
}

export function rollUpSqlite(statements: StatementCache, nowMs: number): MaintenanceResult {
  const step = statements.db.transaction(() => {
    const oldest = wholeRawFromMs(readMaintenanceState(statements)) ?? -Infinity;
    const pending = statements.get(TAKE).all() as PendingRow[];
    statements.get(CLEAR).run();
    let putBack = 0;
    let samples = 0;
    for (const row of pending) {
      const from = Math.max(bucketStart(row.from_ms, ROLLUP_BUCKET_MS), oldest);
      const to = bucketStart(row.to_ms, ROLLUP_BUCKET_MS) + ROLLUP_BUCKET_MS;
      if (to <= from) continue;
      const cut = Math.min(to, from + MAX_SPAN_MS);
      samples += rollUpRange(statements, row.host_id, from, cut);
      if (cut >= to) continue;
      const nextSample = statements.get(NEXT_SAMPLE);
      const next = nextSample.get(row.host_id, cut, row.to_ms) as { t: number | null };
      if (next.t === null) continue;
      statements.get(PUT_BACK).run(row.host_id, next.t, row.to_ms);
      putBack++;
    }
    if (putBack === 0) {
      const through = bucketStart(nowMs - IN_FLIGHT_MARGIN_MS, ROLLUP_BUCKET_MS);
      advanceState(statements, 'rolled_through_ms', through);
    }
    return { hosts: pending.map((row) => row.host_id), samples, putBack };
  });
  // A host whose range was cut is taken again by the next step: counted once.
  const hosts = new Set<string>();
  let rolledSamples = 0;
  for (;;) {
    const done = step.immediate();
    for (const host of done.hosts) hosts.add(host);
    rolledSamples += done.samples;
    if (done.putBack === 0) break;
  }
  return { ...NOTHING_DONE, hosts: hosts.size, rolledSamples };
}

/** Returns how many samples it read. */
function rollUpRange(
  statements: StatementCache,
  hostId: string,
  fromMs: number,
  toMs: number,
): number {
  const upsert = statements.get(UPSERT);
  let current: Bucket | undefined;
  // Read whole (at most MAX_SPAN_MS of one host): better-sqlite3 cannot write mid-iteration.
  const rows = statements.get(READ).all(hostId, fromMs, toMs) as SampleRow[];
  for (const row of rows) {
    const bucketMs = bucketStart(row.t_ms, ROLLUP_BUCKET_MS);
    if (current && current.seriesId === row.series_id && current.bucketMs === bucketMs) {
      current.min = Math.min(current.min, row.value);
      current.max = Math.max(current.max, row.value);
      current.sum += row.value;
      current.count += 1;
      if (row.t_ms > current.lastMs || (row.t_ms === current.lastMs && row.value > current.last)) {
        current.lastMs = row.t_ms;
        current.last = row.value;
      }
      continue;
    }
    if (current) upsert.run(current);
    const v = row.value;
    const lastMs = row.t_ms;
    current = { seriesId: row.series_id, bucketMs, min: v, max: v, sum: v, count: 1, lastMs, last: v };
  }
  if (current) upsert.run(current);
  return rows.length;
}
