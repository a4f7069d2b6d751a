// Ingest throughput of the PostgreSQL storage: many agents' batches of 60 series x 1 sample,
// stored concurrently through one collector's pool, as the ingest route would. Prints figures;
// never passes or fails on them. Needs a build (npx tsc -b) and PostgreSQL on 127.0.0.1:5432.
//
//   node bench/storage-ingest.mjs [--agents 200] [--batches 4000] [--concurrency 32]
//                                 [--runs 5] [--pool 10]
//
// A throwaway database hostpulse_bench_<random> is created and dropped at the end.
//
// Peer, measured in the same process on the same database so that a busy machine shows in
// both figures: the same batches written as one plain INSERT ... unnest statement each, one
// row per sample into an indexed table (peer_samples, as hostpulse's samples were before
// migration 011), with no exactly-once key, no host update and no grouping (what a naive ingest
// path would do). At the end one run of the rollup job, which folds everything stored into
// chunks and rollups, is timed.

import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { silentLogger } from '@hostpulse/shared';
import { openStorage } from '../collector/dist/storage/open-storage.js';

const { values: flags } = parseArgs({
  options: {
    agents: { type: 'string', default: '200' },
    batches: { type: 'string', default: '4000' },
    concurrency: { type: 'string', default: '32' },
    runs: { type: 'string', default: '5' },
    pool: { type: 'string', default: '10' },
  },
});
const AGENTS = Number(flags.agents);
const BATCHES = Number(flags.batches);
const CONCURRENCY = Number(flags.concurrency);
const RUNS = Number(flags.runs);
const POOL_MAX = Number(flags.pool);
const SERIES_PER_BATCH = 60;
const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const PEER_TABLE = `
CREATE TABLE peer_samples (series_id integer NOT NULL, t_ms bigint NOT NULL, value double precision NOT NULL);
CREATE INDEX peer_samples_series_time ON peer_samples (series_id, t_ms) INCLUDE (value)`;
const PEER_INSERT =
  'INSERT INTO peer_samples SELECT * FROM unnest($1::int[], $2::bigint[], $3::float8[])';

const seqByAgent = new Map();

function batchFor(agent, nowMs) {
  const agentId = `bench-agent-${agent}`;
  const seq = (seqByAgent.get(agentId) ?? 0) + 1;
  seqByAgent.set(agentId, seq);
  const series = [];
  for (let i = 0; i < SERIES_PER_BATCH; i++) {
    series.push({
      metric: `bench_metric_${i % 20}`,
      labels: { env: 'bench', device: `d${Math.floor(i / 20)}` },
      timestampsMs: [nowMs],
      values: [Math.random() * 100],
    });
  }
  return {
    agentId, incarnation: 'bench', seq, hostName: `bench-${agent}`, agentVersion: '0.0.0',
    hostLabels: { env: 'bench' }, intervalMs: 10_000, receivedMs: nowMs, clockSkewMs: 0,
    stopping: false, series, events: [], gaps: [],
  };
}

function peerWriter(pool) {
  return async (batch) => {
    const ids = batch.series.map((_, i) => i + 1);
    const times = batch.series.map((s) => s.timestampsMs[0]);
    const values = batch.series.map((s) => s.values[0]);
    await pool.query({ name: 'peer', text: PEER_INSERT, values: [ids, times, values] });
  };
}

async function oneRun(write) {
  const latencies = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < BATCHES) {
      const index = next++;
      const batch = batchFor(index % AGENTS, Date.now());
      const t = performance.now();
      await write(batch);
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { samplesPerSecond: (BATCHES * SERIES_PER_BATCH) / seconds, p50: at(0.5), p99: at(0.99) };
}

// Ours and the peer alternate run by run, so a change of load on the machine hits both.
async function alternate(writers) {
  const results = writers.map(() => []);
  for (let run = 1; run <= RUNS; run++) {
    for (const [i, { label, write }] of writers.entries()) {
      const result = await oneRun(write);
      results[i].push(result);
      console.log(
        `run ${run} ${label}: ${Math.round(result.samplesPerSecond)} samples/s, ` +
          `p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms per batch`,
      );
    }
  }
  return results;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function report(label, results) {
  const at = (key) => median(results.map((r) => r[key]));
  console.log(
    `${label} median: ${Math.round(at('samplesPerSecond'))} samples/s, ` +
      `p50 ${at('p50').toFixed(1)} ms, p99 ${at('p99').toFixed(1)} ms`,
  );
}

async function admin(sql) {
  const client = new pg.Client(ADMIN_URL);
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const name = `hostpulse_bench_${randomBytes(5).toString('hex')}`;
const url = `postgres://postgres@127.0.0.1:5432/${name}`;
await admin(`CREATE DATABASE ${name}`);
const storage = await openStorage({
  databaseUrl: url,
  poolMax: POOL_MAX,
  dataDir: '/nonexistent',
  log: silentLogger(),
});
const peerPool = new pg.Pool({ connectionString: url, max: POOL_MAX });
// The database is dropped WITH (FORCE) at the end; a connection the pool has not closed yet
// then reports its end here instead of crashing the benchmark after its figures.
peerPool.on('error', (err) => console.error(`peer connection ended: ${err.message}`));
try {
  await storage.migrate();
  await peerPool.query(PEER_TABLE);
  // Warm-up: every agent's host row and series exist and are cached, as in a steady fleet.
  for (let agent = 0; agent < AGENTS; agent++) await storage.ingest(batchFor(agent, Date.now()));

  console.log(
    `storage ingest, PostgreSQL: ${AGENTS} agents, ${BATCHES} batches of ${SERIES_PER_BATCH} ` +
      `samples per run, ${CONCURRENCY} in flight, pool ${POOL_MAX}`,
  );
  const [ours, peer] = await alternate([
    { label: 'hostpulse', write: (batch) => storage.ingest(batch) },
    { label: 'peer', write: peerWriter(peerPool) },
  ]);
  report('hostpulse', ours);
  report('peer (plain INSERT per batch)', peer);

  // What the rollup job then has to do for all of that, once, as its next run would.
  const started = performance.now();
  const rolled = await storage.rollUp(Date.now() + 600_000);
  const rollupMs = performance.now() - started;
  const samples = RUNS * BATCHES * SERIES_PER_BATCH + AGENTS * SERIES_PER_BATCH;
  console.log(`rollup job after the runs: ${rolled.rolledSamples} samples (${samples} sent) folded into ` +
    `${rolled.writtenChunks} chunks and rollups in ${rollupMs.toFixed(0)} ms, ` +
    `${Math.round(samples / (rollupMs / 1000))} samples/s`);
} finally {
  await peerPool.end();
  await storage.close();
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}
