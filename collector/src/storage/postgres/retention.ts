import type { Logger } from '@hostpulse/shared';
import type pg from 'pg';
import type { StoragePolicy } from '../policy.js';
import { bucketStart } from '../policy.js';
import type { MaintenanceResult } from '../storage.js';
import { advanceState, readMaintenanceState } from './maintenance-state.js';
import {
  DAY_MS,
  ensurePartitions,
  listPartitions,
  monthStarts,
  type PartitionedTable,
} from './partitions.js';

// Retention drops whole partitions, never rows: a partition goes when its newest possible time
// is past retention (raw: retention.raw, rollups: retention.rollup). A raw day is kept while
// the rollup job has not finished it, so a stalled rollup job delays retention rather than
// losing data; that is logged. Each DROP waits at most LOCK_TIMEOUT for its lock on samples
// (an ingest statement holds a weaker one for a moment): a drop that cannot get it is tried
// again at the next run instead of holding up ingest behind it.

const LOCK_TIMEOUT = '5s';
const DAYS_AHEAD = 3;

export async function preparePartitionsPostgres(
  client: pg.PoolClient,
  nowMs: number,
): Promise<MaintenanceResult> {
  const today = bucketStart(nowMs, DAY_MS);
  const days = Array.from({ length: DAYS_AHEAD + 1 }, (_, i) => today + i * DAY_MS);
  const created = [
    ...(await ensurePartitions(client, 'samples', days)),
    ...(await ensurePartitions(client, 'samples_5m', monthStarts(nowMs, nowMs + 32 * DAY_MS))),
  ];
  return { ran: true, created, dropped: [], hosts: 0, deletedRows: 0 };
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

  const dropped = [
    ...(await dropBefore(client, 'samples', rawLimit)),
    ...(await dropBefore(client, 'samples_5m', nowMs - policy.rollupRetentionMs)),
  ];
  if (Number.isFinite(rawLimit)) {
    await advanceState(client, 'raw_from_ms', bucketStart(rawLimit, DAY_MS));
  }
  return { ran: true, created: [], dropped, hosts: 0, deletedRows: 0 };
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
    await client.query('BEGIN');
    try {
      await client.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
      await client.query(`DROP TABLE ${quoteIdent(partition.name)}`);
      await client.query('COMMIT');
    } catch (err) {
      // See rollup.ts: a failed connection rolls back on the server; `err` is the news.
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
    dropped.push(partition.name);
  }
  return dropped;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
