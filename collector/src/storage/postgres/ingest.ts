import type pg from 'pg';
import { needsHostWrite, snapshotOf, type HostSnapshot } from '../host-writes.js';
import { prepareBatch, type PreparedBatch, type PreparedSeries } from '../prepare-batch.js';
import type { SeriesCache } from '../series-cache.js';
import type { IngestBatch, IngestResult } from '../storage.js';
import { inTransaction } from './transaction.js';

// How a batch reaches PostgreSQL in as few round trips as possible:
// - When every series id is cached and the host row exists, the whole batch is ONE statement
//   (STORE_BATCH): a statement is its own transaction, so the batch key, samples, events, gaps
//   and the host update commit together or not at all.
// - Otherwise one transaction creates the host row and the missing series (INSERT ... ON
//   CONFLICT DO NOTHING, then SELECT: safe when two replicas create the same series at once),
//   then runs the same statement.
// Every write in STORE_BATCH depends on the batch key being new, so a duplicate writes nothing.

const STORE_BATCH = `
WITH b AS (
  INSERT INTO batches (agent_id, incarnation, seq, received_ms, samples)
  VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT DO NOTHING
  RETURNING 1
), s AS (
  INSERT INTO samples (series_id, t_ms, value)
  SELECT * FROM unnest($6::int[], $7::bigint[], $8::float8[])
  WHERE EXISTS (SELECT 1 FROM b)
), e AS (
  INSERT INTO events (host_id, t_ms, kind, labels, message)
  SELECT $1, * FROM unnest($9::bigint[], $10::text[], $11::jsonb[], $12::text[])
  WHERE EXISTS (SELECT 1 FROM b)
), g AS (
  INSERT INTO gaps (host_id, from_ms, to_ms, batches, reason, received_ms)
  SELECT $1, *, $4 FROM unnest($13::bigint[], $14::bigint[], $15::int[], $16::text[])
  WHERE EXISTS (SELECT 1 FROM b)
), h AS (
  UPDATE hosts SET
    name = $18, agent_version = $19, labels = $20, interval_ms = $21, clock_skew_ms = $22,
    state = $23, inventory = COALESCE($24, inventory), last_incarnation = $2,
    last_seen_ms = GREATEST(last_seen_ms, $4)
  WHERE id = $1 AND $17::boolean AND EXISTS (SELECT 1 FROM b)
)
SELECT count(*)::int AS fresh FROM b`;

const CREATE_HOST = `
INSERT INTO hosts (id, name, labels, agent_version, first_seen_ms, last_seen_ms, interval_ms,
  clock_skew_ms, state, inventory, last_incarnation)
VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8, $9, $10)
ON CONFLICT (id) DO NOTHING`;

const CREATE_SERIES = `
INSERT INTO series (host_id, metric, labels, labels_key)
SELECT $1, * FROM unnest($2::text[], $3::jsonb[], $4::text[])
ON CONFLICT DO NOTHING`;

const READ_SERIES = `
SELECT s.id, s.metric, s.labels_key
FROM series s JOIN unnest($2::text[], $3::text[]) AS wanted (metric, labels_key)
  ON s.metric = wanted.metric AND s.labels_key = wanted.labels_key
WHERE s.host_id = $1`;

export interface IngestState {
  readonly pool: pg.Pool;
  readonly seriesCache: SeriesCache;
  /** What this process last wrote to each host row (see host-writes.ts). */
  readonly hostWrites: Map<string, HostSnapshot>;
}

export async function ingestPostgres(state: IngestState, batch: IngestBatch): Promise<IngestResult> {
  const prepared = prepareBatch(batch);
  const written = state.hostWrites.get(batch.agentId);
  const next = snapshotOf(batch);
  const missing = prepared.series.filter(
    (s) => state.seriesCache.get(batch.agentId, s.metric, s.labelsKey) === undefined,
  );

  let fresh: boolean;
  let writeHost: boolean;
  if (written && missing.length === 0) {
    writeHost = needsHostWrite(written, next);
    fresh = await storeBatch(state.pool, batch, prepared, state.seriesCache, new Map(), writeHost);
  } else {
    writeHost = true;
    const created = new Map<string, number>();
    fresh = await inTransaction(state.pool, async (client) => {
      await client.query(CREATE_HOST, hostRowValues(batch));
      await resolveSeries(client, batch.agentId, missing, created);
      return storeBatch(client, batch, prepared, state.seriesCache, created, true);
    });
    for (const s of missing) {
      state.seriesCache.set(batch.agentId, s.metric, s.labelsKey, created.get(localKey(s)) as number);
    }
  }

  if (!fresh) return { duplicate: true, acceptedSamples: 0, rejectedSamples: 0 };
  if (writeHost) {
    state.hostWrites.set(batch.agentId, {
      ...next,
      inventoryJson: next.inventoryJson ?? written?.inventoryJson ?? null,
    });
  }
  return { duplicate: false, acceptedSamples: prepared.acceptedSamples, rejectedSamples: prepared.rejectedSamples };
}

async function resolveSeries(
  client: pg.PoolClient,
  hostId: string,
  missing: readonly PreparedSeries[],
  into: Map<string, number>,
): Promise<void> {
  if (missing.length === 0) return;
  // One order for everyone: two transactions inserting the same new series in different orders
  // could otherwise wait on each other's unique index entries and deadlock.
  const sorted = [...missing].sort((a, b) => compare(localKey(a), localKey(b)));
  await client.query(CREATE_SERIES, [
    hostId,
    sorted.map((s) => s.metric),
    sorted.map((s) => JSON.stringify(s.labels)),
    sorted.map((s) => s.labelsKey),
  ]);
  const rows = await client.query<{ id: number; metric: string; labels_key: string }>(READ_SERIES, [
    hostId,
    sorted.map((s) => s.metric),
    sorted.map((s) => s.labelsKey),
  ]);
  for (const row of rows.rows) into.set(`${row.metric}\u0000${row.labels_key}`, row.id);
}

async function storeBatch(
  db: pg.Pool | pg.PoolClient,
  batch: IngestBatch,
  prepared: PreparedBatch,
  cache: SeriesCache,
  created: ReadonlyMap<string, number>,
  writeHost: boolean,
): Promise<boolean> {
  const seriesIds: number[] = [];
  const times: number[] = [];
  const values: number[] = [];
  for (const s of prepared.series) {
    const id = cache.get(batch.agentId, s.metric, s.labelsKey) ?? (created.get(localKey(s)) as number);
    for (let i = 0; i < s.values.length; i++) {
      seriesIds.push(id);
      times.push(s.timestampsMs[i] as number);
      values.push(s.values[i] as number);
    }
  }
  const result = await db.query<{ fresh: number }>({
    name: 'hostpulse-store-batch',
    text: STORE_BATCH,
    values: [
      batch.agentId,
      batch.incarnation,
      batch.seq,
      batch.receivedMs,
      prepared.acceptedSamples,
      seriesIds,
      times,
      values,
      batch.events.map((e) => e.timeMs),
      batch.events.map((e) => e.kind),
      batch.events.map((e) => JSON.stringify(e.labels)),
      batch.events.map((e) => e.message),
      batch.gaps.map((g) => g.fromMs),
      batch.gaps.map((g) => g.toMs),
      batch.gaps.map((g) => g.batches),
      batch.gaps.map((g) => g.reason),
      writeHost,
      ...hostUpdateValues(batch),
    ],
  });
  return result.rows[0]?.fresh === 1;
}

function hostUpdateValues(batch: IngestBatch): unknown[] {
  return [
    batch.hostName,
    batch.agentVersion,
    JSON.stringify(batch.hostLabels),
    batch.intervalMs,
    batch.clockSkewMs,
    batch.stopping ? 'stopped' : 'up',
    batch.inventory ? JSON.stringify(batch.inventory) : null,
  ];
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

function localKey(s: PreparedSeries): string {
  return `${s.metric}\u0000${s.labelsKey}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
