import type { Logger } from '@hostpulse/shared';
import type pg from 'pg';
import type { StoragePolicy } from '../policy.js';
import { batchKeyLimitMs } from '../batch-keys.js';
import { deleteOldEventsAndGaps } from '../bounded-delete.js';
import { bucketStart } from '../policy.js';
import { NOTHING_DONE, type MaintenanceResult } from '../storage.js';
import { advanceState, readMaintenanceState } from './maintenance-state.js';
import {
  DAY_MS,
  ensurePartitions,
  listPartitions,
  monthStarts,
  type PartitionedTable,
} from './partitions.js';

// Retention drops whole partitions, never rows: a partition goes when its newest possible time
// is past retention (raw chunks: retention.raw, rollups: retention.rollup, exactly-once keys:
// the longer of retention.raw and retention.batch_keys, see batch-keys.ts). A raw day is kept
// while the rollup job has not finished it, so a stalled rollup job delays retention rather
// than losing data; that is logged, and the keys of that day stay too. (Batch rows not folded
// yet are not partitioned: the fold job keeps from them only what retention would keep.) Keys
// go after samples: a run that fails on the way leaves no day whose samples a resend could
// store twice. Each DROP
// waits at most LOCK_TIMEOUT for its lock (an ingest statement holds a weaker one for a
// moment): a drop that cannot get it is tried again at the next run instead of holding up
// ingest behind it. The keys written before migration 009 (batches_unpartitioned) are emptied
// at once, by TRUNCATE, when the newest of them is past the key limit.
//
// Events and gaps are not partitioned: those past retention.rollup go last, by DELETE in
// bounded steps (bounded-delete.ts), each statement its own transaction. A step walks the hosts
// and takes each one's old rows through its (host_id, time) index; LATERAL keeps the planner to
// that, and the ids go to the DELETE as an array because `id IN (subquery)` was planned as a
// hash join over a scan of the whole table. A gap is old when it ended (to_ms) before the
// limit; it began no later (from_ms <= to_ms), which lets its from_ms index bound the probe.

const LOCK_TIMEOUT = '5s';
const DAYS_AHEAD = 3;

const DELETE_EVENTS = `
DELETE FROM events WHERE id = ANY (ARRAY(
  SELECT old.id FROM hosts h CROSS JOIN LATERAL (
    SELECT id FROM events WHERE host_id = h.id AND t_ms < $1 LIMIT $2) old
  LIMIT $2))`;
const DELETE_GAPS = `
DELETE FROM gaps WHERE id = ANY (ARRAY(
  SELECT old.id FROM hosts h CROSS JOIN LATERAL (
    SELECT id FROM gaps WHERE host_id = h.id AND from_ms < $1 AND to_ms < $1 LIMIT $2) old
  LIMIT $2))`;

export async function preparePartitionsPostgres(
  client: pg.PoolClient,
  nowMs: number,
): Promise<MaintenanceResult> {
  const today = bucketStart(nowMs, DAY_MS);
  const days = Array.from({ length: DAYS_AHEAD + 1 }, (_, i) => today + i * DAY_MS);
  const created = [
    ...(await ensurePartitions(client, 'sample_chunks', days)),
    ...(await ensurePartitions(client, 'batches', days)),
    ...(await ensurePartitions(client, 'samples_5m', monthStarts(nowMs, nowMs + 32 * DAY_MS))),
  ];
  return { ...NOTHING_DONE, created };
}

export async function applyRetentionPostgres(
  client: pg.PoolClient,
  policy: StoragePolicy,
  nowMs: number,
  log: Logger,
): Promise<MaintenanceResult> {
  const rawCutoff = nowMs - policy.rawRetentionMs;
  const { rolledThroughMs } = await readMaintenanceState(client);
  const rawLimit = Math.min(rawCutoff, rolledThroughMs ?? -Infinity);
  if (rawLimit < rawCutoff) {
    const fields = { rawCutoffMs: rawCutoff, rolledThroughMs: rolledThroughMs ?? null };
    log.warn(fields, 'raw samples kept past retention.raw: not rolled up yet');
  }

  const keyLimit = batchKeyLimitMs(policy, nowMs, rawLimit);
  const dropped = [
    ...(await dropBefore(client, 'sample_chunks', rawLimit)),
    ...(await dropBefore(client, 'samples_5m', nowMs - policy.rollupRetentionMs)),
    ...(await dropBefore(client, 'batches', keyLimit)),
    ...(await emptyKeysBefore009(client, keyLimit)),
  ];
  if (Number.isFinite(rawLimit)) {
    await advanceState(client, 'raw_from_ms', bucketStart(rawLimit, DAY_MS));
  }

  const limitMs = nowMs - policy.rollupRetentionMs;
  const deletes = { events: DELETE_EVENTS, gaps: DELETE_GAPS };
  const stepOf = (sql: string) => async (rows: number) =>
    (await client.query(sql, [limitMs, rows])).rowCount ?? 0;
  const { deletedEvents, deletedGaps } =
    await deleteOldEventsAndGaps(deletes, stepOf, limitMs, log);
  return { ...NOTHING_DONE, dropped, deletedEvents, deletedGaps };
}

/** Drops the partitions of `table` whose every row is older than `limitMs`. */
async function dropBefore(
  client: pg.PoolClient,
  table: PartitionedTable,
  limitMs: number,
): Promise<string[]> {
  const dropped: string[] = [];
  for (const partition of await listPartitions(client, table)) {
    if (partition.toMs > limitMs) continue;
    await withLockTimeout(client, [`DROP TABLE ${quoteIdent(partition.name)}`]);
    dropped.push(partition.name);
  }
  return dropped;
}

const KEYS_BEFORE_009 = 'batches_unpartitioned';
const KEYS_BEFORE_009_NEWEST = 'batches_unpartitioned_newest_ms';

/**
 * Empties the table of keys written before migration 009 once the newest of them (by receive
 * time, which is never before its batch's time but for an agent clock running ahead) is past
 * the key limit; returns its name when it did. The table stays, empty: the store statement
 * looks keys up in it.
 */
async function emptyKeysBefore009(client: pg.PoolClient, keyLimitMs: number): Promise<string[]> {
  const state = await client.query<{ value_ms: number }>(
    'SELECT value_ms FROM storage_state WHERE name = $1',
    [KEYS_BEFORE_009_NEWEST],
  );
  const newestMs = state.rows[0]?.value_ms;
  if (newestMs === undefined || newestMs >= keyLimitMs) return [];
  await withLockTimeout(client, [
    `TRUNCATE ${KEYS_BEFORE_009}`,
    `DELETE FROM storage_state WHERE name = '${KEYS_BEFORE_009_NEWEST}'`,
  ]);
  return [KEYS_BEFORE_009];
}

/** Runs `statements` in one transaction that waits at most LOCK_TIMEOUT for any lock. */
async function withLockTimeout(client: pg.PoolClient, statements: readonly string[]): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
    for (const statement of statements) await client.query(statement);
    await client.query('COMMIT');
  } catch (err) {
    // See rollup.ts: a failed connection rolls back on the server; `err` is the news.
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
