import { prepareBatch, type PreparedBatch, type PreparedSeries } from '../prepare-batch.js';
import type { SeriesCache } from '../series-cache.js';
import type { IngestBatch, IngestResult } from '../storage.js';
import type { StatementCache } from './open-database.js';

// One IMMEDIATE transaction per batch. The batch key goes in first: when it is already there
// nothing else is written. The host row is upserted on every batch: with one local writer and
// a few dozen hosts, the saving PostgreSQL needs (host-writes.ts) is not worth its complexity.

const INSERT_BATCH = `
INSERT INTO batches (agent_id, incarnation, seq, received_ms, samples) VALUES (?, ?, ?, ?, ?)
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

export function ingestSqlite(statements: StatementCache, cache: SeriesCache, batch: IngestBatch): IngestResult {
  const prepared = prepareBatch(batch);
  const created: { series: PreparedSeries; id: number }[] = [];
  const store = statements.db.transaction(() => storeBatch(statements, cache, batch, prepared, created));

  if (!store.immediate()) return { duplicate: true, acceptedSamples: 0, rejectedSamples: 0 };
  for (const { series, id } of created) cache.set(batch.agentId, series.metric, series.labelsKey, id);
  return { duplicate: false, acceptedSamples: prepared.acceptedSamples, rejectedSamples: prepared.rejectedSamples };
}

/** Returns false, having written nothing, when the batch key was already stored. */
function storeBatch(
  statements: StatementCache,
  cache: SeriesCache,
  batch: IngestBatch,
  prepared: PreparedBatch,
  created: { series: PreparedSeries; id: number }[],
): boolean {
  const key = [batch.agentId, batch.incarnation, batch.seq, batch.receivedMs, prepared.acceptedSamples];
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

  const insertSample = statements.get(INSERT_SAMPLE);
  for (const series of prepared.series) {
    let id = cache.get(batch.agentId, series.metric, series.labelsKey);
    if (id === undefined) {
      id = resolveSeries(statements, batch.agentId, series);
      created.push({ series, id });
    }
    for (let i = 0; i < series.values.length; i++) insertSample.run(id, series.timestampsMs[i], series.values[i]);
  }
  for (const e of batch.events) {
    statements.get(INSERT_EVENT).run(batch.agentId, e.timeMs, e.kind, JSON.stringify(e.labels), e.message);
  }
  for (const g of batch.gaps) {
    statements.get(INSERT_GAP).run(batch.agentId, g.fromMs, g.toMs, g.batches, g.reason, batch.receivedMs);
  }
  return true;
}

function resolveSeries(statements: StatementCache, hostId: string, series: PreparedSeries): number {
  statements.get(INSERT_SERIES).run(hostId, series.metric, JSON.stringify(series.labels), series.labelsKey);
  const row = statements.get(READ_SERIES).get(hostId, series.metric, series.labelsKey) as { id: number };
  return row.id;
}
