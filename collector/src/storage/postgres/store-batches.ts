import type pg from 'pg';
import { bucketStart, ROLLUP_BUCKET_MS } from '../policy.js';
import { batchDayMs } from '../batch-keys.js';
import type { IngestBatch } from '../storage.js';
import { float8Array, int4Array, int8Array } from './binary-arrays.js';

// Stores several batches in ONE statement, hence one transaction and one commit: under load
// the fsync of each commit, not the rows, is what limits PostgreSQL, so batches that arrive
// together are written together (group-writer.ts). Every write joins `fresh`, the batches whose
// key was new, so a duplicate writes nothing; the caller never puts two batches of one agent
// in the same statement, so a key appears at most once here (and so does a host in
// rollup_pending, which the statement widens to the sample times it stores: rollup.ts). Those
// rows are locked in agent order, so two statements never wait on each other in a cycle. The
// range is widened to whole 5-minute buckets, so most batches find it wide enough already and
// only lock the row (the lock is what makes the rollup job wait for this statement), which
// writes far less than an update.
//
// The key goes into the daily partition of its batch's own time (batch_day_ms, batch-keys.ts),
// the same for every copy of the batch; a key written before migration 009 is still in
// batches_unpartitioned, which is looked up too (empty once retention has passed its keys).
const STORE_BATCHES = `
WITH input AS (
  SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::int[],
      $32::bigint[])
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
  INSERT INTO samples (series_id, t_ms, value)
  SELECT x.series_id, x.t_ms, x.value
  FROM unnest($7::int[], $8::int[], $9::bigint[], $10::float8[]) AS x (idx, series_id, t_ms, value)
  JOIN fresh USING (idx)
), e AS (
  INSERT INTO events (host_id, t_ms, kind, labels, message)
  SELECT fresh.agent_id, x.t_ms, x.kind, x.labels, x.message
  FROM unnest($11::int[], $12::bigint[], $13::text[], $14::jsonb[], $15::text[])
    AS x (idx, t_ms, kind, labels, message)
  JOIN fresh USING (idx)
), g AS (
  INSERT INTO gaps (host_id, from_ms, to_ms, batches, reason, received_ms)
  SELECT fresh.agent_id, x.from_ms, x.to_ms, x.batches, x.reason, fresh.received_ms
  FROM unnest($16::int[], $17::bigint[], $18::bigint[], $19::int[], $20::text[])
    AS x (idx, from_ms, to_ms, batches, reason)
  JOIN fresh USING (idx)
), h AS (
  UPDATE hosts SET
    name = x.name, agent_version = x.agent_version, labels = x.labels,
    interval_ms = x.interval_ms, clock_skew_ms = x.clock_skew_ms, state = x.state,
    inventory = COALESCE(x.inventory, hosts.inventory), last_incarnation = fresh.incarnation,
    last_seen_ms = GREATEST(hosts.last_seen_ms, fresh.received_ms)
  FROM unnest($21::int[], $22::text[], $23::text[], $24::jsonb[], $25::bigint[], $26::bigint[],
      $27::text[], $28::jsonb[])
    AS x (idx, name, agent_version, labels, interval_ms, clock_skew_ms, state, inventory)
  JOIN fresh USING (idx)
  WHERE hosts.id = fresh.agent_id
), r AS (
  INSERT INTO rollup_pending (host_id, from_ms, to_ms)
  SELECT fresh.agent_id, x.from_ms, x.to_ms
  FROM unnest($29::int[], $30::bigint[], $31::bigint[]) AS x (idx, from_ms, to_ms)
  JOIN fresh USING (idx)
  ORDER BY fresh.agent_id
  ON CONFLICT (host_id) DO UPDATE SET
    from_ms = LEAST(rollup_pending.from_ms, excluded.from_ms),
    to_ms = GREATEST(rollup_pending.to_ms, excluded.to_ms)
  WHERE excluded.from_ms < rollup_pending.from_ms OR excluded.to_ms > rollup_pending.to_ms
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
  const result = await db.query<{ idx: number }>({ name: 'hostpulse-store-batches', text: STORE_BATCHES, values: columns });
  const fresh = new Set(result.rows.map((row) => row.idx));
  return group.map((_, idx) => fresh.has(idx));
}

function toColumns(group: readonly StorableBatch[]): unknown[] {
  const c: unknown[][] = Array.from({ length: 32 }, () => []);
  const push = (first: number, ...values: unknown[]) => values.forEach((v, i) => (c[first + i] as unknown[]).push(v));

  group.forEach(({ batch, acceptedSamples, seriesIds, timesMs, values, writeHost }, idx) => {
    push(0, idx, batch.agentId, batch.incarnation, batch.seq, batch.receivedMs, acceptedSamples);
    push(31, batchDayMs(batch));
    let fromMs = Infinity;
    let toMs = -Infinity;
    for (let i = 0; i < values.length; i++) {
      const t = timesMs[i] as number;
      (c[6] as unknown[]).push(idx);
      (c[7] as unknown[]).push(seriesIds[i]);
      (c[8] as unknown[]).push(t);
      (c[9] as unknown[]).push(values[i]);
      if (t < fromMs) fromMs = t;
      if (t > toMs) toMs = t;
    }
    if (values.length > 0) {
      const lastBucket = bucketStart(toMs, ROLLUP_BUCKET_MS);
      push(28, idx, bucketStart(fromMs, ROLLUP_BUCKET_MS), lastBucket + ROLLUP_BUCKET_MS - 1);
    }
    for (const e of batch.events) push(10, idx, e.timeMs, e.kind, JSON.stringify(e.labels), e.message);
    for (const g of batch.gaps) push(15, idx, g.fromMs, g.toMs, g.batches, g.reason);
    if (writeHost) {
      const inventory = batch.inventory ? JSON.stringify(batch.inventory) : null;
      const labels = JSON.stringify(batch.hostLabels);
      const state = batch.stopping ? 'stopped' : 'up';
      push(20, idx, batch.hostName, batch.agentVersion, labels, batch.intervalMs, batch.clockSkewMs, state, inventory);
    }
  });
  // The per-sample columns are by far the longest: they go in binary (binary-arrays.ts).
  return c.map((column, i) => {
    const encodeAs = PER_SAMPLE_ENCODERS[i - 6];
    return encodeAs ? encodeAs(column as number[]) : column;
  });
}

const PER_SAMPLE_ENCODERS = [int4Array, int4Array, int8Array, float8Array];
