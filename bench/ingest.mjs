// Collector ingest driven by `hostpulse-collector simulate`: synthetic agents of 60 series at a
// 10 s interval, their history compressed in time with --backfill, pushed over the real ingest
// API (protobuf, gzip, exactly-once keys) into a collector on PostgreSQL. Prints samples/s
// stored (checked by counting rows: every sample exactly once), p50/p99 ingest latency,
// collector CPU and peak RSS; in the same run the same samples into Debian's victoria-metrics
// through /api/v1/import, and the ratio. Then the real-time mode: many agents at a real 10 s
// interval for a minute, giving the collector's CPU (% of one core) and p99 latency.
//
// With --prebuilt, each run also posts the same requests from bodies built before the clock
// starts, to both systems alike: simulate builds protobuf and gzip per request in about half a
// core of the same two cores, where real agents would do that on their own machines.
//
//   node bench/ingest.mjs [--agents 1000,10000] [--samples 3600000] [--connections 32] [--batch-cycles 1]
//                         [--runs 3] [--realtime-agents 10000] [--realtime 60s] [--realtime-runs 1]
//                         [--skip-peer] [--prebuilt]
//
// Aims: ≥ 150,000 samples/s into PostgreSQL on a 2-core machine; for 10,000 hosts at 10 s,
// ≤ 60 % of one core and p99 < 50 ms. A database hostpulse_bench_* is created and dropped.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import pg from 'pg';
import { Pool } from 'undici';
import { parseDuration } from '../shared/dist/index.js';
import { createFleet } from '../collector/dist/simulate/fleet.js';
import { sampleHost } from '../collector/dist/simulate/host-model.js';
import { agentOffsetMs, backfillCycles, planBackfill } from '../collector/dist/simulate/schedule.js';
import { LatencyHistogram } from '../collector/dist/simulate/latency.js';
import { retryAfterMs } from '../collector/dist/simulate/sender.js';
import { buildBatch } from '../collector/dist/simulate/sim-batch.js';
import {
  SIMULATED_INTERVAL_MS as INTERVAL_MS, SIMULATED_SERIES as SERIES, SIMULATE_SEED as SEED, backfillFor,
  countStoredRows, cpuSeconds, freePort, median, postgresAdminUrl, residentBytes, runSimulate, sleep, start,
  startPostgresCollector, stop, tempDir, waitHttp, histogramBetween, histogramOf, scrape,
} from './lib.mjs';

const { values: flags } = parseArgs({
  options: {
    agents: { type: 'string', default: '1000,10000' },
    samples: { type: 'string', default: '3600000' },
    connections: { type: 'string', default: '32' },
    'batch-cycles': { type: 'string', default: '1' },
    runs: { type: 'string', default: '3' },
    'realtime-agents': { type: 'string', default: '10000' },
    realtime: { type: 'string', default: '60s' },
    'realtime-runs': { type: 'string', default: '1' },
    'skip-peer': { type: 'boolean', default: false },
    prebuilt: { type: 'boolean', default: false },
  },
});
const connections = Number(flags.connections);
const runs = Number(flags.runs);
const batchCycles = Number(flags['batch-cycles']);
const totalSamples = Number(flags.samples);
// pool_max stays at 10, the default when the README's figures were taken, so that a new default
// does not move them; bench/pool-sizing.mjs is the benchmark that varies it.
const INGEST_HISTOGRAM = 'hostpulse_ingest_duration_seconds';
const startCollector = (tag) => startPostgresCollector({ tag, poolMax: 10, dirPrefix: 'ingest' });
// The host model's options as simulate sets them with --incidents 0: the peer's and the
// prebuilt bodies carry the values simulate sends.
const MODEL = { seed: SEED, perHostPerDay: 0, intervalMs: INTERVAL_MS };
// Prebuilt bodies of one system are held at once; past this the machine would swap or the
// bench would run out of memory before anything is measured.
const MAX_PREBUILT_BYTES = 2 * 2 ** 30;
// A request's own objects beside its body (Buffer, the request record), roughly.
const REQUEST_OVERHEAD_BYTES = 200;
// As simulate's sender: a batch answered 429 or 503 is resent after Retry-After, up to this.
const MAX_ATTEMPTS = 10;

async function hostpulseBackfill(agents, run) {
  const { cycles, text } = backfillFor(agents, totalSamples);
  const collector = await startCollector(`${agents}_${run}`);
  try {
    const backends = await watchDatabaseCpu(databaseOf(collector));
    let r;
    let pgCpuSeconds;
    try {
      r = await runSimulate(collector, ['--agents', String(agents), '--backfill', text, '--connections', String(connections),
        '--batch-cycles', String(batchCycles)]);
    } finally {
      pgCpuSeconds = await backends.stop();
    }
    const rows = await countStoredRows(collector.dbUrl);
    const expected = agents * cycles * SERIES;
    return {
      samplesPerSecond: rows.samples / r.summary.seconds,
      p50: r.summary.p50Ms,
      p99: r.summary.p99Ms,
      cpu: r.collectorCpuPercent,
      pgCpu: (pgCpuSeconds / r.seconds) * 100,
      rss: r.collectorRssMiB,
      simCpu: r.simulatorCpuPercent,
      exact: rows.samples === expected && rows.batches === agents * Math.ceil(cycles / batchCycles) &&
        r.summary.samples === expected,
      rows,
      expected,
      retries: r.summary.retries,
      progressLines: r.progressLines,
    };
  } finally {
    await collector.stop();
  }
}

/**
 * A victoria-metrics on a free port with a temp storage dir, for as long as `use` runs; the dir
 * (over 100 MB after a run) goes with it.
 */
async function withVictoria(use) {
  const dir = tempDir('vm');
  const port = await freePort();
  const vm = start('/usr/bin/victoria-metrics', [`-httpListenAddr=127.0.0.1:${port}`, `-storageDataPath=${dir}`, '-loggerLevel=ERROR'], join(dir, 'vm.log'));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitHttp(`${url}/health`);
    return await use({ url, pid: vm.pid });
  } finally {
    await stop(vm);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One request to victoria-metrics' JSON import: the cycles `times` of `host`, a line per sample. */
function victoriaBody(host, times) {
  const lines = times.flatMap((t) => sampleHost(host, t, MODEL).samples.map((s) =>
    JSON.stringify({ metric: { __name__: s.metric, host: host.hostName, ...s.labels }, values: [s.value], timestamps: [t] })));
  return { body: gzipSync(lines.join('\n')), samples: lines.length };
}

/** The same samples, as many cycles per request as hostpulse gets, into victoria-metrics' JSON import. */
async function victoriaBackfill(agents) {
  const { cycles } = backfillFor(agents, totalSamples);
  return withVictoria(async ({ url, pid }) => {
    const client = new Pool(url, { connections, pipelining: 1 });
    const fleet = createFleet({ agents, seed: SEED, prefix: 'sim' });
    const plan = planBackfill(Date.now(), cycles * INTERVAL_MS, INTERVAL_MS, batchCycles);
    const latency = new LatencyHistogram();
    const cpu0 = cpuSeconds(pid);
    let peakRss = 0;
    const poll = setInterval(() => (peakRss = Math.max(peakRss, residentBytes(pid))), 500);
    let next = 0;
    let samples = 0;
    const t0 = performance.now();
    async function worker() {
      for (let job = next++; job < plan.batchesPerAgent * agents; job = next++) {
        const host = fleet[job % agents];
        const offset = agentOffsetMs(host.index, agents, INTERVAL_MS);
        const times = backfillCycles(plan, Math.floor(job / agents), batchCycles, offset, INTERVAL_MS);
        const request = victoriaBody(host, times);
        const started = performance.now();
        const answer = await client.request({ path: '/api/v1/import', method: 'POST', body: request.body, headers: { 'content-encoding': 'gzip' } });
        await answer.body.dump();
        if (answer.statusCode !== 204) throw new Error(`victoria-metrics answered HTTP ${answer.statusCode}`);
        latency.record(performance.now() - started);
        samples += request.samples;
      }
    }
    await Promise.all(Array.from({ length: connections }, worker));
    const seconds = (performance.now() - t0) / 1000;
    clearInterval(poll);
    const cpu = ((cpuSeconds(pid) - cpu0) / seconds) * 100;
    await client.close();
    return { samplesPerSecond: samples / seconds, p50: latency.percentile(50), p99: latency.percentile(99), cpu, rss: peakRss / 2 ** 20 };
  });
}

/**
 * Every request of a backfill by `agents`, its body made now by `bodyOf(host, cycleTimes)`, in
 * the order simulate sends them: every agent's first batch, then every agent's second, and so on.
 */
function buildRequests(agents, bodyOf) {
  const { cycles } = backfillFor(agents, totalSamples);
  const fleet = createFleet({ agents, seed: SEED, prefix: 'sim' });
  const plan = planBackfill(Date.now(), cycles * INTERVAL_MS, INTERVAL_MS, batchCycles);
  const t0 = performance.now();
  const requests = [];
  let bytes = 0;
  for (let batch = 0; batch < plan.batchesPerAgent; batch++) {
    for (const host of fleet) {
      const times = backfillCycles(plan, batch, batchCycles, agentOffsetMs(host.index, agents, INTERVAL_MS), INTERVAL_MS);
      const { body, samples } = bodyOf(host, times);
      requests.push({ agent: host.index, body, samples });
      bytes += body.length;
    }
  }
  return { requests, bytes, buildSeconds: (performance.now() - t0) / 1000 };
}

/**
 * Refuses, before anything runs, an --agents size whose prebuilt bodies would pass
 * MAX_PREBUILT_BYTES, estimated from agent 0's first batch for each system (the first carries
 * the inventory, so it errs on the large side).
 */
function checkPrebuiltMemory(agentSizes) {
  for (const agents of agentSizes) {
    const { cycles } = backfillFor(agents, totalSamples);
    const plan = planBackfill(Date.now(), cycles * INTERVAL_MS, INTERVAL_MS, batchCycles);
    const times = backfillCycles(plan, 0, batchCycles, 0, INTERVAL_MS);
    const [host] = createFleet({ agents: 1, seed: SEED, prefix: 'sim' });
    const largest = Math.max(buildBatch(host, times, MODEL).body.length, victoriaBody(host, times).body.length);
    const requests = agents * plan.batchesPerAgent;
    const bytes = requests * (largest + REQUEST_OVERHEAD_BYTES);
    if (bytes > MAX_PREBUILT_BYTES) {
      console.error(`--prebuilt: ${n(agents)} agents × ${n(plan.batchesPerAgent)} batches = ${n(requests)} request bodies of ` +
        `about ${n(largest)} bytes would hold ${(bytes / 2 ** 30).toFixed(1)} GiB in memory, over the ` +
        `${MAX_PREBUILT_BYTES / 2 ** 30} GiB this bench allows; lower --samples or --agents`);
      process.exit(2);
    }
  }
}

/**
 * Posts prebuilt requests in the order given over `connections` connections (pipelining 1) and
 * times only that window: throughput, latency of answered requests, the server's CPU and peak
 * RSS, and this process's own CPU. As a real agent does, an agent's next batch waits for the
 * answer to its previous one: each agent's requests form a chain, linked when a request is
 * taken, so with fewer agents than connections a connection waits rather than sending out of
 * order. (simulate's backfill relies on the fleet being larger than its requests in flight.)
 */
async function postAll({ url, path, headers, okStatus, requests, serverPid, onAnswer }) {
  const pool = new Pool(url, { connections, pipelining: 1 });
  const latency = new LatencyHistogram();
  const unanswered = new Map(); // agent → the chain of its requests not answered yet
  let next = 0;
  let retries = 0;
  let orderWaits = 0;
  let failure;

  async function post(request) {
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      const answer = await pool.request({ path, method: 'POST', headers, body: request.body });
      const text = await answer.body.text();
      if (answer.statusCode === okStatus) {
        latency.record(performance.now() - started);
        onAnswer(text, request);
        return;
      }
      const overloaded = answer.statusCode === 429 || answer.statusCode === 503;
      if (!overloaded || attempt === MAX_ATTEMPTS) {
        throw new Error(`${url}${path} answered HTTP ${answer.statusCode} to agent ${request.agent}'s batch ` +
          `(attempt ${attempt}): ${text.slice(0, 200)}`);
      }
      retries++;
      await sleep(retryAfterMs(answer.headers['retry-after']));
    }
  }

  async function worker() {
    while (failure === undefined && next < requests.length) {
      const request = requests[next++];
      const previous = unanswered.get(request.agent);
      if (previous) orderWaits++;
      const chain = (previous ?? Promise.resolve())
        .then(() => (failure === undefined ? post(request) : undefined))
        .catch((err) => (failure ??= err));
      unanswered.set(request.agent, chain);
      await chain;
      if (unanswered.get(request.agent) === chain) unanswered.delete(request.agent);
    }
  }

  const cpu0 = cpuSeconds(serverPid);
  const own0 = process.cpuUsage();
  let peakRss = residentBytes(serverPid);
  const poll = setInterval(() => (peakRss = Math.max(peakRss, residentBytes(serverPid))), 500);
  const t0 = performance.now();
  try {
    await Promise.all(Array.from({ length: connections }, worker));
  } finally {
    clearInterval(poll);
  }
  const seconds = (performance.now() - t0) / 1000;
  const serverCpuSeconds = cpuSeconds(serverPid) - cpu0;
  const own = process.cpuUsage(own0);
  await pool.close();
  if (failure !== undefined) throw failure;
  return {
    seconds,
    p50: latency.percentile(50),
    p99: latency.percentile(99),
    cpu: (serverCpuSeconds / seconds) * 100,
    rss: peakRss / 2 ** 20,
    benchCpu: ((own.user + own.system) / 1e6 / seconds) * 100,
    retries,
    orderWaits,
  };
}

const databaseOf = (collector) => new URL(collector.dbUrl).pathname.slice(1);

/**
 * CPU seconds used by the PostgreSQL processes serving one database (its backends and
 * autovacuum workers) from now until stop(). The list is read every 500 ms: a process first
 * seen after the start was born since and counts from zero; one that ends between two
 * readings loses its last half second, and short-lived parallel workers may be missed.
 */
async function watchDatabaseCpu(dbName) {
  const admin = new pg.Client(postgresAdminUrl);
  await admin.connect();
  const first = new Map();
  const last = new Map();
  async function read(isStart) {
    const { rows } = await admin.query('SELECT pid FROM pg_stat_activity WHERE datname = $1', [dbName]);
    for (const { pid } of rows) {
      let seconds;
      try {
        seconds = cpuSeconds(pid);
      } catch {
        continue; // ended between the query and the read; what it used since the last reading is lost
      }
      if (!first.has(pid)) first.set(pid, isStart ? seconds : 0);
      last.set(pid, seconds);
    }
  }
  await read(true);
  let watching = true;
  let failure;
  // A failed reading is kept for stop() to throw: the run then ends through its own cleanup
  // (collector stopped, database dropped) rather than as an unhandled rejection.
  const loop = (async () => {
    while (watching && failure === undefined) {
      await sleep(500);
      await read(false).catch((err) => (failure = err));
    }
  })();
  return {
    async stop() {
      watching = false;
      try {
        await loop;
        if (failure !== undefined) throw new Error(`cannot list the PostgreSQL processes of ${dbName}`, { cause: failure });
        await read(false);
      } finally {
        await admin.end();
      }
      let total = 0;
      for (const [pid, seconds] of last) total += seconds - first.get(pid);
      return total;
    },
  };
}

/**
 * The backfill's protobuf bodies, built as simulate builds them, posted to the collector's
 * ingest API. A body's send time is stamped when it is built, so the collector records a clock
 * skew of up to the build's length; it only stores it in the host's row, which it rewrites
 * when last_seen moves a second anyway.
 */
async function hostpulsePrebuilt(agents, run) {
  const { cycles } = backfillFor(agents, totalSamples);
  const built = buildRequests(agents, (host, times) => buildBatch(host, times, MODEL));
  const collector = await startCollector(`prebuilt_${agents}_${run}`);
  try {
    const token = readFileSync(collector.tokenFile, 'utf8').trim();
    const acked = { samples: 0, duplicates: 0 };
    const backends = await watchDatabaseCpu(databaseOf(collector));
    let r;
    let pgCpuSeconds;
    try {
      r = await postAll({
        url: collector.url,
        path: '/api/v1/ingest',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' },
        okStatus: 200,
        requests: built.requests,
        serverPid: collector.child.pid,
        onAnswer(text) {
          const ack = JSON.parse(text);
          if (ack.duplicate === true) acked.duplicates++;
          else acked.samples += ack.acceptedSamples ?? 0;
        },
      });
    } finally {
      pgCpuSeconds = await backends.stop();
    }
    const rows = await countStoredRows(collector.dbUrl);
    const expected = agents * cycles * SERIES;
    return {
      ...r,
      samplesPerSecond: rows.samples / r.seconds,
      pgCpu: (pgCpuSeconds / r.seconds) * 100,
      rows,
      expected,
      exact: rows.samples === expected && rows.batches === built.requests.length && acked.samples === expected &&
        acked.duplicates === 0,
      bodies: built.requests.length,
      bytes: built.bytes,
      buildSeconds: built.buildSeconds,
    };
  } finally {
    await collector.stop();
  }
}

/** The same JSON-lines bodies victoriaBackfill sends, built first, posted to /api/v1/import. */
async function victoriaPrebuilt(agents) {
  const built = buildRequests(agents, victoriaBody);
  return withVictoria(async ({ url, pid }) => {
    let samples = 0;
    const r = await postAll({
      url,
      path: '/api/v1/import',
      headers: { 'content-encoding': 'gzip' },
      okStatus: 204,
      requests: built.requests,
      serverPid: pid,
      onAnswer: (_text, request) => (samples += request.samples),
    });
    return { ...r, samplesPerSecond: samples / r.seconds, bodies: built.requests.length, bytes: built.bytes,
      buildSeconds: built.buildSeconds };
  });
}

async function hostpulseRealtime(agents, duration, run) {
  const collector = await startCollector(`rt_${run}`);
  try {
    // A running deployment knows its hosts and series; making 600,000 series for 10,000 new
    // hosts at once is a one-off, so one backfilled cycle makes them before the measured minute.
    const warm = await runSimulate(collector, ['--agents', String(agents), '--backfill', '10s', '--connections', '32']);
    console.log(`  warm-up: ${n(agents)} hosts and their series made in ${warm.seconds.toFixed(1)} s`);
    const before = await countStoredRows(collector.dbUrl);
    const served0 = histogramOf(await scrape(collector.url), INGEST_HISTOGRAM);
    // --no-goodbye: 10,000 goodbyes at the end of the minute would be a burst inside the window.
    const r = await runSimulate(collector, ['--agents', String(agents), '--interval', '10s', '--duration', duration,
      '--connections', '256', '--no-goodbye']);
    // The collector's own view (request in to answer out), beside simulate's, which also
    // counts the time a busy simulator takes to read the answer.
    const served = histogramBetween(served0, histogramOf(await scrape(collector.url), INGEST_HISTOGRAM), [0.5, 0.99]);
    const after = await countStoredRows(collector.dbUrl);
    const rows = { samples: after.samples - before.samples, batches: after.batches - before.batches };
    return { cpu: r.collectorCpuPercent, rss: r.collectorRssMiB, p50: r.summary.p50Ms, p99: r.summary.p99Ms, served,
      simCpu: r.simulatorCpuPercent, rows, samplesPerSecond: rows.samples / r.seconds, batches: r.summary.batches };
  } finally {
    await collector.stop();
  }
}

const n = (x) => Math.round(x).toLocaleString('en');
const ms = (x) => `${x.toFixed(1)} ms`;
const m = (list, key) => median(list.map((r) => r[key]));

const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const agentSizes = flags.agents.split(',').map(Number);
if (flags.prebuilt) checkPrebuiltMemory(agentSizes);

console.log(`ingest via simulate: agents of ${SERIES} series at a 10 s interval, ${connections} connections, ` +
  `${batchCycles} cycle(s) per batch, median of ${runs} runs`);
for (const agents of agentSizes) {
  const { cycles, text } = backfillFor(agents, totalSamples);
  console.log(`\n${n(agents)} agents, --backfill ${text} (${cycles} cycles, ${n(agents * cycles * SERIES)} samples)`);
  const ours = [];
  const theirs = [];
  const oursPrebuilt = [];
  const theirsPrebuilt = [];
  for (let run = 1; run <= runs; run++) {
    const r = await hostpulseBackfill(agents, run);
    ours.push(r);
    console.log(`  run ${run} hostpulse → PostgreSQL: ${n(r.samplesPerSecond)} samples/s, p50 ${ms(r.p50)}, p99 ${ms(r.p99)}, ` +
      `collector CPU ${r.cpu.toFixed(0)} %, PostgreSQL CPU ${r.pgCpu.toFixed(0)} %, RSS ${r.rss.toFixed(0)} MiB, simulate CPU ${r.simCpu.toFixed(0)} %, ` +
      `rows ${n(r.rows.samples)}/${n(r.expected)} ${r.exact ? 'exactly once' : 'MISMATCH'}, retries ${r.retries}, progress lines ${r.progressLines}`);
    if (!flags['skip-peer']) {
      const v = await victoriaBackfill(agents);
      theirs.push(v);
      console.log(`  run ${run} victoria-metrics:        ${n(v.samplesPerSecond)} samples/s, p50 ${ms(v.p50)}, p99 ${ms(v.p99)}, ` +
        `CPU ${v.cpu.toFixed(0)} %, RSS ${v.rss.toFixed(0)} MiB`);
    }
    if (flags.prebuilt) {
      await sleep(1000);
      const p = await hostpulsePrebuilt(agents, run);
      oursPrebuilt.push(p);
      console.log(`  run ${run} prebuilt bodies hostpulse → PostgreSQL: ${n(p.samplesPerSecond)} samples/s, p50 ${ms(p.p50)}, ` +
        `p99 ${ms(p.p99)}, collector CPU ${p.cpu.toFixed(0)} %, PostgreSQL CPU ${p.pgCpu.toFixed(0)} %, RSS ${p.rss.toFixed(0)} MiB, ` +
        `bench CPU ${p.benchCpu.toFixed(0)} %, rows ${n(p.rows.samples)}/${n(p.expected)} ${p.exact ? 'exactly once' : 'MISMATCH'}, ` +
        `retries ${p.retries}, order waits ${p.orderWaits} (${n(p.bodies)} bodies, ${mib(p.bytes)}, built in ${p.buildSeconds.toFixed(1)} s)`);
      if (!flags['skip-peer']) {
        const v = await victoriaPrebuilt(agents);
        theirsPrebuilt.push(v);
        console.log(`  run ${run} prebuilt bodies victoria-metrics:        ${n(v.samplesPerSecond)} samples/s, p50 ${ms(v.p50)}, ` +
          `p99 ${ms(v.p99)}, CPU ${v.cpu.toFixed(0)} %, RSS ${v.rss.toFixed(0)} MiB, bench CPU ${v.benchCpu.toFixed(0)} %, ` +
          `retries ${v.retries}, order waits ${v.orderWaits} (${n(v.bodies)} bodies, ${mib(v.bytes)}, built in ${v.buildSeconds.toFixed(1)} s)`);
      }
    }
    await sleep(1000);
  }
  printMedians('', ours, theirs);
  if (flags.prebuilt) printMedians('prebuilt bodies ', oursPrebuilt, theirsPrebuilt);
}

function printMedians(label, ours, theirs) {
  // Only the prebuilt runs time the bench's own CPU over their window.
  const benchCpu = (list) => (list[0].benchCpu === undefined ? '' : `, bench CPU ${m(list, 'benchCpu').toFixed(0)} %`);
  console.log(`  median ${label}hostpulse → PostgreSQL ${n(m(ours, 'samplesPerSecond'))} samples/s, p50 ${ms(m(ours, 'p50'))}, ` +
    `p99 ${ms(m(ours, 'p99'))}, CPU ${m(ours, 'cpu').toFixed(0)} %, PostgreSQL CPU ${m(ours, 'pgCpu').toFixed(0)} %, ` +
    `RSS ${m(ours, 'rss').toFixed(0)} MiB${benchCpu(ours)}`);
  if (theirs.length) {
    console.log(`  median ${label}victoria-metrics        ${n(m(theirs, 'samplesPerSecond'))} samples/s, p50 ${ms(m(theirs, 'p50'))}, ` +
      `p99 ${ms(m(theirs, 'p99'))}, CPU ${m(theirs, 'cpu').toFixed(0)} %, RSS ${m(theirs, 'rss').toFixed(0)} MiB${benchCpu(theirs)}`);
    console.log(`  ratio ${label}hostpulse / victoria-metrics: ${(m(ours, 'samplesPerSecond') / m(theirs, 'samplesPerSecond')).toFixed(2)}`);
  }
}

const rtAgents = Number(flags['realtime-agents']);
if (rtAgents > 0) {
  const seconds = parseDuration(flags.realtime) / 1000;
  console.log(`\nreal time: ${n(rtAgents)} agents at a real 10 s interval for ${seconds} s`);
  const list = [];
  for (let run = 1; run <= Number(flags['realtime-runs']); run++) {
    const r = await hostpulseRealtime(rtAgents, flags.realtime, run);
    list.push(r);
    console.log(`  run ${run}: collector CPU ${r.cpu.toFixed(1)} % of one core, RSS ${r.rss.toFixed(0)} MiB, ` +
      `p50 ${ms(r.p50)}, p99 ${ms(r.p99)}, ${n(r.samplesPerSecond)} samples/s, ${n(r.rows.batches)} batches stored, ` +
      `simulate CPU ${r.simCpu.toFixed(0)} %; as the collector timed it: p50 ≤ ${r.served.boundsMs[0]} ms, ` +
      `p99 ≤ ${r.served.boundsMs[1]} ms (histogram buckets), mean ${r.served.meanMs.toFixed(1)} ms`);
  }
  console.log(`  median: collector CPU ${m(list, 'cpu').toFixed(1)} % of one core, p99 ${ms(m(list, 'p99'))}`);
}
