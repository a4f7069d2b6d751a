import type { Logger } from '@hostpulse/shared';
import { batchKeyLimitMs } from '../batch-keys.js';
import { deleteOldEventsAndGaps } from '../bounded-delete.js';
import { bucketStart, ROLLUP_BUCKET_MS, type StoragePolicy } from '../policy.js';
import { NOTHING_DONE, type MaintenanceResult } from '../storage.js';
import { advanceState, readMaintenanceState } from './maintenance-state.js';
import type { StatementCache } from './open-database.js';

// Retention on the embedded store: SQLite has no partitions, so old rows are deleted, series
// by series through the (series_id, t_ms) index, SERIES_PER_STEP series per transaction. The
// event loop gets a turn between transactions, so ingest goes on while a large delete runs.
// As on PostgreSQL, raw samples the rollup job has not rolled up yet are kept. Exactly-once keys
// go by whole days of their batch's time, as PostgreSQL drops their partitions (batch-keys.ts),
// after the samples and KEYS_PER_STEP at a time through the batches_day index. Events and gaps
// go last, past retention.rollup, in bounded steps (bounded-delete.ts) through their
// (host_id, time) indexes: CROSS JOIN makes SQLite walk the hosts and probe each one's index
// rather than scan the whole table. A gap is old when it ended (to_ms) before the limit; it
// began no later (from_ms <= to_ms), which is what lets its from_ms index bound the probe.

const SERIES_PER_STEP = 200;
const KEYS_PER_STEP = 2_000;

const SERIES = 'SELECT id FROM series ORDER BY id';
const DELETE_RAW = 'DELETE FROM samples WHERE series_id = ? AND t_ms < ?';
const DELETE_ROLLUPS = 'DELETE FROM samples_5m WHERE series_id = ? AND bucket_ms < ?';
// batch_day_ms is a day's first millisecond: the day has ended by the limit when it is a day
// or more before it.
const DELETE_KEYS = `
DELETE FROM batches WHERE (agent_id, incarnation, seq) IN (
  SELECT agent_id, incarnation, seq FROM batches WHERE batch_day_ms <= ? - 86400000 LIMIT ?)`;

const DELETE_EVENTS = `
DELETE FROM events WHERE id IN (
  SELECT e.id FROM hosts h CROSS JOIN events e
  WHERE e.host_id = h.id AND e.t_ms < @limitMs LIMIT @rows)`;
const DELETE_GAPS = `
DELETE FROM gaps WHERE id IN (
  SELECT g.id FROM hosts h CROSS JOIN gaps g
  WHERE g.host_id = h.id AND g.from_ms < @limitMs AND g.to_ms < @limitMs LIMIT @rows)`;

/** Runs one synchronous step with the store's error mapping. */
export type Guard = <T>(step: () => T) => Promise<T>;

export async function applyRetentionSqlite(
  statements: StatementCache,
  policy: StoragePolicy,
  nowMs: number,
  log: Logger,
  guard: Guard,
): Promise<MaintenanceResult> {
  const rawCutoff = nowMs - policy.rawRetentionMs;
  const { rolledThroughMs } = await guard(() => readMaintenanceState(statements));
  const rawLimit = Math.min(rawCutoff, rolledThroughMs ?? -Infinity);
  if (rawLimit < rawCutoff) {
    const fields = { rawCutoffMs: rawCutoff, rolledThroughMs: rolledThroughMs ?? null };
    log.warn(fields, 'raw samples kept past retention.raw: not rolled up yet');
  }
  const rollupLimit = bucketStart(nowMs - policy.rollupRetentionMs, ROLLUP_BUCKET_MS);

  // Said before the first delete, not after the last: a rollup run or a query between two
  // steps must already take the buckets being emptied as gone (wholeRawFromMs), or it would
  // answer them, or recompute their rollups, from what is left of their raw samples.
  if (Number.isFinite(rawLimit)) {
    await guard(() => advanceState(statements, 'raw_from_ms', rawLimit));
  }
  const rows = await guard(() => statements.get(SERIES).all() as { id: number }[]);
  const ids = rows.map((row) => row.id);
  let deletedRows = 0;
  for (let i = 0; i < ids.length; i += SERIES_PER_STEP) {
    const step = statements.db.transaction((chunk: number[]) => {
      let deleted = 0;
      for (const id of chunk) {
        if (Number.isFinite(rawLimit)) {
          deleted += statements.get(DELETE_RAW).run(id, rawLimit).changes;
        }
        deleted += statements.get(DELETE_ROLLUPS).run(id, rollupLimit).changes;
      }
      return deleted;
    });
    deletedRows += await guard(() => step.immediate(ids.slice(i, i + SERIES_PER_STEP)));
    await new Promise((resolve) => setImmediate(resolve));
  }
  const keyLimit = batchKeyLimitMs(policy, nowMs, rawLimit);
  const deletedKeys = await deleteKeysBefore(statements, keyLimit, guard);

  const limitMs = nowMs - policy.rollupRetentionMs;
  const deletes = { events: DELETE_EVENTS, gaps: DELETE_GAPS };
  const stepOf = (sql: string) => (rows: number) =>
    guard(() => statements.get(sql).run({ limitMs, rows }).changes);
  const { deletedEvents, deletedGaps } =
    await deleteOldEventsAndGaps(deletes, stepOf, limitMs, log);
  return { ...NOTHING_DONE, deletedRows, deletedKeys, deletedEvents, deletedGaps };
}

/** Deletes the keys of the days that ended by `limitMs`, in steps; returns how many. */
async function deleteKeysBefore(statements: StatementCache, limitMs: number, guard: Guard): Promise<number> {
  if (!Number.isFinite(limitMs)) return 0;
  let deleted = 0;
  for (;;) {
    const step = await guard(() => statements.get(DELETE_KEYS).run(limitMs, KEYS_PER_STEP).changes);
    deleted += step;
    if (step < KEYS_PER_STEP) return deleted;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
