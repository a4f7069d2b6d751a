import type pg from 'pg';
import { batchDayMs } from '../batch-keys.js';
import type { IngestBatch } from '../storage.js';
import { float8Array, int4Array, int8Array } from './binary-arrays.js';

// Stores several batches in ONE statement, hence one transaction and one commit: under load
// the fsync of each commit, not the rows, is what limits PostgreSQL, so batches that arrive
// together are written together (group-writer.ts). Every write joins `fresh`, the batches whose
// key was new, so a duplicate writes nothing; the caller never puts two batches of one agent
// in the same statement, so a key appears at most once here.
//
// A batch's samples become ONE row of sample_batches (its series ids, times and values as
// arrays, sliced out of the statement's flat arrays), not a row each: that is what lets
// PostgreSQL take well over 100,000 samples/s on two cores. The fold job (fold.ts) later turns
// those rows into per-series chunks and rollups.
//
// The key goes into the daily partition of its batch's own time (batch_day_ms, batch-keys.ts),
// the same for every copy of the batch; a key written before migration 009 is still in
// batches_unpartitioned, which is looked up too (empty once retention has passed its keys).
const STORE_BATCHES = `
WITH input AS (
  SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::int[],
      $7::bigint[])
    AS i (idx, agent_id, incarnation, seq, received_ms, samples, batch_day_ms)
), b AS (
  INSERT INTO batches (agent_id, incarnation, seq, batch_day_ms, received_ms, samples)
  SELECT agent_id, incarnation, seq, batch_day_ms, received_ms, samples FROM input
  WHERE NOT EXISTS (
    SELECT FROM batches_unpartitioned o
    WHERE (o.agent_id, o.incarnation, o.seq) = (input.agent_id, input.incarnation, input.seq))
  ON CONFLICT DO NOTHING
  RETURNING agent_id, incarnation, seq
), fresh AS (
  SELECT input.idx, input.agent_id, input.incarnation, input.received_ms
  FROM input JOIN b USING (agent_id, incarnation, seq)
), s AS (
  INSERT INTO sample_batches (host_id, from_ms, to_ms, series_ids, times_ms, vals)
  SELECT fresh.agent_id, x.from_ms, x.to_ms, ($8::int4[])[x.lo:x.hi], ($9::int8[])[x.lo:x.hi],
    ($10::float8[])[x.lo:x.hi]
  FROM unnest($11::int[], $12::bigint[], $13::bigint[], $14::int[], $15::int[])
    AS x (idx, from_ms, to_ms, lo, hi)
  JOIN fresh USING (idx)
), e AS (
  INSERT INTO events (host_id, t_ms, kind, labels, message)
  SELECT fresh.agent_id, x.t_ms, x.kind, x.labels, x.message
  FROM unnest($16::int[], $17::bigint[], $18::text[], $19::jsonb[], $20::text[])
    AS x (idx, t_ms, kind, labels, message)
  JOIN fresh USING (idx)
), g AS (
  INSERT INTO gaps (host_id, from_ms, to_ms, batches, reason, received_ms)
  SELECT fresh.agent_id, x.from_ms, x.to_ms, x.batches, x.reason, fresh.received_ms
  FROM unnest($21::int[], $22::bigint[], $23::bigint[], $24::int[], $25::text[])
    AS x (idx, from_ms, to_ms, batches, reason)
  JOIN fresh USING (idx)
), h AS (
  UPDATE hosts SET
    name = x.name, agent_version = x.agent_version, labels = x.labels,
    interval_ms = x.interval_ms, clock_skew_ms = x.clock_skew_ms, state = x.state,
    inventory = COALESCE(x.inventory, hosts.inventory), last_incarnation = fresh.incarnation,
    last_seen_ms = GREATEST(hosts.last_seen_ms, fresh.received_ms)
  FROM unnest($26::int[], $27::text[], $28::text[], $29::jsonb[], $30::bigint[], $31::bigint[],
      $32::text[], $33::jsonb[])
    AS x (idx, name, agent_version, labels, interval_ms, clock_skew_ms, state, inventory)
  JOIN fresh USING (idx)
  WHERE hosts.id = fresh.agent_id
)
SELECT idx FROM fresh`;

/** One batch ready to store: its series ids are known and its finite samples flattened. */
export interface StorableBatch {
  readonly batch: IngestBatch;
  readonly acceptedSamples: number;
  readonly seriesIds: readonly number[];
  readonly timesMs: readonly number[];
  readonly values: readonly number[];
  /** False when the host row is recent enough already (host-writes.ts). */
  readonly writeHost: boolean;
}

/** Returns, for each batch in order, whether its key was new (false: a duplicate). */
export async function storeBatches(db: pg.Pool | pg.PoolClient, group: readonly StorableBatch[]): Promise<boolean[]> {
  const columns = toColumns(group);
  const statement = { name: 'hostpulse-store-batches', text: STORE_BATCHES, values: columns };
  const result = await db.query<{ idx: number }>(statement);
  const fresh = new Set(result.rows.map((row) => row.idx));
  return group.map((_, idx) => fresh.has(idx));
}

function toColumns(group: readonly StorableBatch[]): unknown[] {
  const c: unknown[][] = Array.from({ length: 33 }, () => []);
  const push = (first: number, ...values: unknown[]) => values.forEach((v, i) => (c[first + i] as unknown[]).push(v));
  const ids = c[7] as number[];
  const times = c[8] as number[];
  const vals = c[9] as number[];

  group.forEach(({ batch, acceptedSamples, seriesIds, timesMs, values, writeHost }, idx) => {
    push(0, idx, batch.agentId, batch.incarnation, batch.seq, batch.receivedMs, acceptedSamples, batchDayMs(batch));
    const lo = vals.length + 1;
    let fromMs = Infinity;
    let toMs = -Infinity;
    for (let i = 0; i < values.length; i++) {
      const t = timesMs[i] as number;
      ids.push(seriesIds[i] as number);
      times.push(t);
      vals.push(values[i] as number);
      if (t < fromMs) fromMs = t;
      if (t > toMs) toMs = t;
    }
    if (values.length > 0) push(10, idx, fromMs, toMs, lo, vals.length);
    for (const e of batch.events) push(15, idx, e.timeMs, e.kind, JSON.stringify(e.labels), e.message);
    for (const g of batch.gaps) push(20, idx, g.fromMs, g.toMs, g.batches, g.reason);
    if (writeHost) {
      const inventory = batch.inventory ? JSON.stringify(batch.inventory) : null;
      const labels = JSON.stringify(batch.hostLabels);
      const state = batch.stopping ? 'stopped' : 'up';
      push(25, idx, batch.hostName, batch.agentVersion, labels, batch.intervalMs, batch.clockSkewMs, state, inventory);
    }
  });
  // The per-sample columns are by far the longest: they go in binary (binary-arrays.ts).
  return c.map((column, i) => {
    const encodeAs = PER_SAMPLE_ENCODERS[i - 7];
    return encodeAs ? encodeAs(column as number[]) : column;
  });
}

const PER_SAMPLE_ENCODERS = [int4Array, int8Array, float8Array];
