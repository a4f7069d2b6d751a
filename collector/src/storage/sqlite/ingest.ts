import { batchDayMs } from '../batch-keys.js';
import { prepareBatch, type PreparedBatch, type PreparedSeries } from '../prepare-batch.js';
import type { SeriesCache } from '../series-cache.js';
import type { SeriesLimiter } from '../series-limit.js';
import type { SeriesShapes } from '../series-shapes.js';
import type { IngestBatch, IngestResult } from '../storage.js';
import type { StatementCache } from './open-database.js';

// One IMMEDIATE transaction per batch. The batch key goes in first: when it is already there
// nothing else is written. The host row is upserted on every batch: with one local writer and
// a few dozen hosts, the saving PostgreSQL needs (host-writes.ts) is not worth its complexity.
// New series are made within limits.series_per_host (series-limit.ts); the host's row in
// rollup_pending is widened to the sample times stored, for the rollup job (rollup.ts).

const INSERT_BATCH = `
INSERT INTO batches (agent_id, incarnation, seq, batch_day_ms, received_ms, samples)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT DO NOTHING`;

const UPSERT_HOST = `
INSERT INTO hosts (id, name, labels, agent_version, first_seen_ms, last_seen_ms, interval_ms,
  clock_skew_ms, state, inventory, last_incarnation)
VALUES (@id, @name, @labels, @agentVersion, @receivedMs, @receivedMs, @intervalMs,
  @clockSkewMs, @state, @inventory, @incarnation)
ON CONFLICT (id) DO UPDATE SET
  name = excluded.name, labels = excluded.labels, agent_version = excluded.agent_version,
  last_seen_ms = max(last_seen_ms, excluded.last_seen_ms), interval_ms = excluded.interval_ms,
  clock_skew_ms = excluded.clock_skew_ms, state = excluded.state,
  inventory = coalesce(excluded.inventory, inventory), last_incarnation = excluded.last_incarnation`;

const INSERT_SERIES = `
INSERT INTO series (host_id, metric, labels, labels_key) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`;
const READ_SERIES = 'SELECT id FROM series WHERE host_id = ? AND metric = ? AND labels_key = ?';
const INSERT_SAMPLE = 'INSERT INTO samples (series_id, t_ms, value) VALUES (?, ?, ?)';
const INSERT_EVENT = 'INSERT INTO events (host_id, t_ms, kind, labels, message) VALUES (?, ?, ?, ?, ?)';
const INSERT_GAP = `
INSERT INTO gaps (host_id, from_ms, to_ms, batches, reason, received_ms) VALUES (?, ?, ?, ?, ?, ?)`;

const SET_BATCH_SAMPLES =
  'UPDATE batches SET samples = ? WHERE agent_id = ? AND incarnation = ? AND seq = ?';
const COUNT_SERIES = 'SELECT count(*) AS n FROM series WHERE host_id = ?';
const WIDEN_PENDING = `
INSERT INTO rollup_pending (host_id, from_ms, to_ms) VALUES (?, ?, ?)
ON CONFLICT (host_id) DO UPDATE SET
  from_ms = min(from_ms, excluded.from_ms), to_ms = max(to_ms, excluded.to_ms)`;

export function ingestSqlite(
  statements: StatementCache,
  cache: SeriesCache,
  shapes: SeriesShapes,
  limiter: SeriesLimiter,
  batch: IngestBatch,
): IngestResult {
  const prepared = prepareBatch(batch, shapes);
  const { kept, refused } = limiter.split(batch.agentId, prepared.series);
  const created: { series: PreparedSeries; id: number }[] = [];
  let outcome = limiter.apply(prepared, refused, kept);
  const store = statements.db.transaction(() => {
    if (!storeKeyAndHost(statements, batch, outcome.stored.acceptedSamples)) return false;
    const ids = resolveAll(statements, cache, limiter, batch.agentId, kept, created);
    const admitted = kept.filter((s) => ids.has(s));
    if (admitted.length < kept.length) {
      outcome = limiter.apply(prepared, [...refused, ...kept.filter((s) => !ids.has(s))], admitted);
      const key = [outcome.stored.acceptedSamples, batch.agentId, batch.incarnation, batch.seq];
      statements.get(SET_BATCH_SAMPLES).run(...key);
    }
    storeContents(statements, batch, outcome.stored, ids);
    return true;
  });

  if (!store.immediate()) return { duplicate: true, acceptedSamples: 0, rejectedSamples: 0 };
  for (const { series, id } of created) cache.set(batch.agentId, series.metric, series.labelsKey, id);
  limiter.countStored(outcome.extra);
  const { acceptedSamples } = outcome.stored;
  const { rejectedSamples } = prepared;
  return { duplicate: false, acceptedSamples, rejectedSamples, ...outcome.extra };
}

/** The id of every series of the batch that may be stored; the series limit leaves some out. */
function resolveAll(
  statements: StatementCache,
  cache: SeriesCache,
  limiter: SeriesLimiter,
  hostId: string,
  series: readonly PreparedSeries[],
  created: { series: PreparedSeries; id: number }[],
): Map<PreparedSeries, number> {
  const ids = new Map<PreparedSeries, number>();
  const fresh: PreparedSeries[] = [];
  for (const s of series) {
    const id = cache.get(hostId, s.metric, s.labelsKey) ?? readSeries(statements, hostId, s);
    if (id === undefined) fresh.push(s);
    else ids.set(s, id);
  }
  if (fresh.length === 0) return ids;
  const existing = (statements.get(COUNT_SERIES).get(hostId) as { n: number }).n;
  for (const s of limiter.admit(hostId, existing, fresh)) {
    const id = resolveSeries(statements, hostId, s);
    ids.set(s, id);
    created.push({ series: s, id });
  }
  return ids;
}

/** Returns false, having written nothing, when the batch key was already stored. */
function storeKeyAndHost(statements: StatementCache, batch: IngestBatch, samples: number): boolean {
  const key = [batch.agentId, batch.incarnation, batch.seq, batchDayMs(batch), batch.receivedMs, samples];
  if (statements.get(INSERT_BATCH).run(...key).changes === 0) return false;

  statements.get(UPSERT_HOST).run({
    id: batch.agentId,
    name: batch.hostName,
    labels: JSON.stringify(batch.hostLabels),
    agentVersion: batch.agentVersion,
    receivedMs: batch.receivedMs,
    intervalMs: batch.intervalMs,
    clockSkewMs: batch.clockSkewMs,
    state: batch.stopping ? 'stopped' : 'up',
    inventory: batch.inventory ? JSON.stringify(batch.inventory) : null,
    incarnation: batch.incarnation,
  });
  return true;
}

function storeContents(
  statements: StatementCache,
  batch: IngestBatch,
  prepared: PreparedBatch,
  ids: ReadonlyMap<PreparedSeries, number>,
): void {
  const insertSample = statements.get(INSERT_SAMPLE);
  let fromMs = Infinity;
  let toMs = -Infinity;
  for (const series of prepared.series) {
    const id = ids.get(series) as number;
    for (let i = 0; i < series.values.length; i++) {
      const t = series.timestampsMs[i] as number;
      insertSample.run(id, t, series.values[i]);
      if (t < fromMs) fromMs = t;
      if (t > toMs) toMs = t;
    }
  }
  if (fromMs <= toMs) statements.get(WIDEN_PENDING).run(batch.agentId, fromMs, toMs);
  for (const e of batch.events) {
    statements.get(INSERT_EVENT).run(batch.agentId, e.timeMs, e.kind, JSON.stringify(e.labels), e.message);
  }
  for (const g of batch.gaps) {
    statements.get(INSERT_GAP).run(batch.agentId, g.fromMs, g.toMs, g.batches, g.reason, batch.receivedMs);
  }
}

function readSeries(statements: StatementCache, hostId: string, s: PreparedSeries): number | undefined {
  const row = statements.get(READ_SERIES).get(hostId, s.metric, s.labelsKey) as { id: number } | undefined;
  return row?.id;
}

function resolveSeries(statements: StatementCache, hostId: string, series: PreparedSeries): number {
  statements.get(INSERT_SERIES).run(hostId, series.metric, JSON.stringify(series.labels), series.labelsKey);
  const row = statements.get(READ_SERIES).get(hostId, series.metric, series.labelsKey) as { id: number };
  return row.id;
}
