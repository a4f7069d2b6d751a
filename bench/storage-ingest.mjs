// Ingest throughput of the PostgreSQL storage: many agents' batches of 60 series x 1 sample,
// stored concurrently through one collector's pool, as the ingest route would. Prints figures;
// never passes or fails on them. Needs a build (npx tsc -b) and PostgreSQL on 127.0.0.1:5432.
//
//   node bench/storage-ingest.mjs [--agents 200] [--batches 4000] [--concurrency 32] [--runs 5] [--pool 10]
//
// A throwaway database hostpulse_bench_<random> is created and dropped at the end.

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

async function oneRun(storage) {
  const latencies = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < BATCHES) {
      const index = next++;
      const batch = batchFor(index % AGENTS, Date.now());
      const t = performance.now();
      await storage.ingest(batch);
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { samplesPerSecond: (BATCHES * SERIES_PER_BATCH) / seconds, p50: at(0.5), p99: at(0.99) };
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

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const name = `hostpulse_bench_${randomBytes(5).toString('hex')}`;
await admin(`CREATE DATABASE ${name}`);
const storage = await openStorage({
  databaseUrl: `postgres://postgres@127.0.0.1:5432/${name}`,
  poolMax: POOL_MAX,
  dataDir: '/nonexistent',
  log: silentLogger(),
});
try {
  await storage.migrate();
  // Warm-up: every agent's host row and series exist and are cached, as in a steady fleet.
  for (let agent = 0; agent < AGENTS; agent++) await storage.ingest(batchFor(agent, Date.now()));

  console.log(
    `storage ingest, PostgreSQL: ${AGENTS} agents, ${BATCHES} batches of ${SERIES_PER_BATCH} samples per run, ` +
      `${CONCURRENCY} in flight, pool ${POOL_MAX}`,
  );
  const results = [];
  for (let run = 1; run <= RUNS; run++) {
    const result = await oneRun(storage);
    results.push(result);
    console.log(
      `run ${run}: ${Math.round(result.samplesPerSecond)} samples/s, ` +
        `p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms per batch`,
    );
  }
  console.log(
    `median: ${Math.round(median(results.map((r) => r.samplesPerSecond)))} samples/s, ` +
      `p50 ${median(results.map((r) => r.p50)).toFixed(1)} ms, p99 ${median(results.map((r) => r.p99)).toFixed(1)} ms`,
  );
} finally {
  await storage.close();
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}
