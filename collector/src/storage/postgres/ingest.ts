import type pg from 'pg';
import { batchDayMs } from '../batch-keys.js';
import { needsHostWrite, snapshotOf, type HostSnapshot } from '../host-writes.js';
import { seriesKey } from '../labels-key.js';
import { prepareBatch, type PreparedBatch, type PreparedSeries } from '../prepare-batch.js';
import type { SeriesCache } from '../series-cache.js';
import type { IngestBatch, IngestResult } from '../storage.js';
import type { GroupWriter } from './group-writer.js';
import type { SeriesLimiter } from '../series-limit.js';
import type { SeriesShapes } from '../series-shapes.js';
import type { IngestPartitions } from './partitions.js';
import { storeBatches, type StorableBatch } from './store-batches.js';
import { inTransaction } from './transaction.js';

// How a batch reaches PostgreSQL in as few round trips as possible:
// - When every series id is cached and the host row exists, the batch goes to the group writer
//   and is stored by ONE statement, possibly shared with batches of other agents
//   (store-batches.ts): the batch key, samples, events, gaps and host update commit together.
// - Otherwise one transaction creates the host row and the missing series (INSERT ... ON
//   CONFLICT DO NOTHING, then SELECT: safe when two replicas create the same series at once),
//   then runs the same statement for this batch alone. The series limit is checked there.
// - Before either, the daily partition the batch key falls in is made when this process has
//   not seen it yet (partitions.ts), so no insert fails for a missing partition. Samples need
//   none: they go into sample_batches, which is not partitioned (store-batches.ts).

const CREATE_HOST = `
INSERT INTO hosts (id, name, labels, agent_version, first_seen_ms, last_seen_ms, interval_ms,
  clock_skew_ms, state, inventory, last_incarnation)
VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8, $9, $10)
ON CONFLICT (id) DO NOTHING`;

// RETURNING gives the ids of the rows this statement made; a series another replica made
// meanwhile returns nothing here and is read afterwards.
const CREATE_SERIES = `
INSERT INTO series (host_id, metric, labels, labels_key)
SELECT $1, * FROM unnest($2::text[], $3::jsonb[], $4::text[])
ON CONFLICT DO NOTHING
RETURNING id, metric, labels_key`;

const READ_SERIES = `
SELECT s.id, s.metric, s.labels_key
FROM series s JOIN unnest($2::text[], $3::text[]) AS wanted (metric, labels_key)
  ON s.metric = wanted.metric AND s.labels_key = wanted.labels_key
WHERE s.host_id = $1`;

const COUNT_SERIES = 'SELECT count(*)::int AS n FROM series WHERE host_id = $1';

export interface IngestState {
  readonly pool: pg.Pool;
  readonly groups: GroupWriter;
  readonly seriesCache: SeriesCache;
  readonly shapes: SeriesShapes;
  /** What this process last wrote to each host row (see host-writes.ts). */
  readonly hostWrites: Map<string, HostSnapshot>;
  readonly partitions: IngestPartitions;
  readonly limiter: SeriesLimiter;
}

export async function ingestPostgres(state: IngestState, batch: IngestBatch): Promise<IngestResult> {
  const prepared = prepareBatch(batch, state.shapes);
  const { kept, refused } = state.limiter.split(batch.agentId, prepared.series);
  await state.partitions.ensureFor(batchDayMs(batch));
  const written = state.hostWrites.get(batch.agentId);
  const next = snapshotOf(batch);
  const cached = (s: PreparedSeries) => committedId(state.seriesCache, batch.agentId, s);
  const missing = kept.filter((s) => cached(s) === undefined);

  let fresh: boolean;
  let writeHost: boolean;
  let outcome = state.limiter.apply(prepared, refused, kept);
  if (written && missing.length === 0) {
    writeHost = needsHostWrite(written, next);
    const item = storable(batch, outcome.stored, state.seriesCache, new Map(), writeHost);
    fresh = await state.groups.submit(item);
  } else {
    writeHost = true;
    const created = new Map<string, number>();
    fresh = await inTransaction(state.pool, async (client) => {
      const hostMade = (await client.query(CREATE_HOST, hostRowValues(batch))).rowCount === 1;
      const { limiter } = state;
      const refusedNow =
        await resolveSeries(client, batch.agentId, missing, created, limiter, hostMade);
      const admitted = kept.filter((s) => !refusedNow.includes(s));
      outcome = state.limiter.apply(prepared, [...refused, ...refusedNow], admitted);
      const item = storable(batch, outcome.stored, state.seriesCache, created, true);
      const [isFresh] = await storeBatches(client, [item]);
      return isFresh === true;
    });
    for (const s of missing) {
      const id = created.get(seriesKey(s));
      if (id !== undefined) state.seriesCache.set(batch.agentId, s.metric, s.labelsKey, id);
    }
  }

  if (!fresh) return { duplicate: true, acceptedSamples: 0, rejectedSamples: 0 };
  if (writeHost) {
    state.hostWrites.set(batch.agentId, {
      ...next,
      inventoryJson: next.inventoryJson ?? written?.inventoryJson ?? null,
    });
  }
  state.limiter.countStored(outcome.extra);
  const { acceptedSamples } = outcome.stored;
  const { rejectedSamples } = prepared;
  return { duplicate: false, acceptedSamples, rejectedSamples, ...outcome.extra };
}

/**
 * Finds or makes the ids of series not in the cache, within the host's series limit; returns
 * the series refused by the limit. `hostMade`: this transaction inserted the host row, so the
 * host has no series yet (series.host_id references hosts, and hosts are never deleted): there
 * is nothing to read or count, which saves a fleet's first batches two round trips each.
 */
async function resolveSeries(
  client: pg.PoolClient,
  hostId: string,
  missing: readonly PreparedSeries[],
  into: Map<string, number>,
  limiter: SeriesLimiter,
  hostMade: boolean,
): Promise<PreparedSeries[]> {
  if (missing.length === 0) return [];
  if (!hostMade) await readSeries(client, hostId, missing, into);
  const fresh = missing.filter((s) => !into.has(seriesKey(s)));
  if (fresh.length === 0) return [];

  const counted = hostMade ? undefined : await client.query<{ n: number }>(COUNT_SERIES, [hostId]);
  const existing = counted?.rows[0]?.n ?? 0;
  const admitted = limiter.admit(hostId, existing, fresh);
  if (admitted.length > 0) {
    // One order for everyone: two transactions inserting the same new series in different
    // orders could otherwise wait on each other's unique index entries and deadlock.
    const sorted = [...admitted].sort((a, b) => compare(seriesKey(a), seriesKey(b)));
    const made = await client.query<SeriesRow>(CREATE_SERIES, [
      hostId,
      sorted.map((s) => s.metric),
      sorted.map((s) => JSON.stringify(s.labels)),
      sorted.map((s) => s.labelsKey),
    ]);
    remember(made.rows, into);
    const takenMeanwhile = sorted.filter((s) => !into.has(seriesKey(s)));
    if (takenMeanwhile.length > 0) await readSeries(client, hostId, takenMeanwhile, into);
  }
  return fresh.slice(admitted.length);
}

async function readSeries(
  client: pg.PoolClient,
  hostId: string,
  series: readonly PreparedSeries[],
  into: Map<string, number>,
): Promise<void> {
  const rows = await client.query<SeriesRow>(READ_SERIES, [
    hostId,
    series.map((s) => s.metric),
    series.map((s) => s.labelsKey),
  ]);
  remember(rows.rows, into);
}

interface SeriesRow {
  readonly id: number;
  readonly metric: string;
  readonly labels_key: string;
}

function remember(rows: readonly SeriesRow[], into: Map<string, number>): void {
  for (const row of rows) {
    into.set(seriesKey({ metric: row.metric, labelsKey: row.labels_key }), row.id);
  }
}

function storable(
  batch: IngestBatch,
  prepared: PreparedBatch,
  cache: SeriesCache,
  created: ReadonlyMap<string, number>,
  writeHost: boolean,
): StorableBatch {
  const seriesIds: number[] = [];
  const timesMs: number[] = [];
  const values: number[] = [];
  for (const s of prepared.series) {
    const id = committedId(cache, batch.agentId, s) ?? (created.get(seriesKey(s)) as number);
    for (let i = 0; i < s.values.length; i++) {
      seriesIds.push(id);
      timesMs.push(s.timestampsMs[i] as number);
      values.push(s.values[i] as number);
    }
  }
  return { batch, acceptedSamples: prepared.acceptedSamples, seriesIds, timesMs, values, writeHost };
}

/** The id of a series made by a committed transaction, or undefined (created.get then). */
function committedId(cache: SeriesCache, hostId: string, s: PreparedSeries): number | undefined {
  if (s.identity.id !== undefined) return s.identity.id;
  const id = cache.get(hostId, s.metric, s.labelsKey);
  if (id !== undefined) s.identity.id = id;
  return id;
}

function hostRowValues(batch: IngestBatch): unknown[] {
  return [
    batch.agentId,
    batch.hostName,
    JSON.stringify(batch.hostLabels),
    batch.agentVersion,
    batch.receivedMs,
    batch.intervalMs,
    batch.clockSkewMs,
    batch.stopping ? 'stopped' : 'up',
    batch.inventory ? JSON.stringify(batch.inventory) : null,
    batch.incarnation,
  ];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
