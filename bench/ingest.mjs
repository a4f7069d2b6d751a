// Collector ingest driven by `hostpulse-collector simulate`: synthetic agents of 60 series at a
// 10 s interval, their history compressed in time with --backfill, pushed over the real ingest
// API (protobuf, gzip, exactly-once keys) into a collector on PostgreSQL. Prints samples/s
// stored (checked by counting rows: every sample exactly once), p50/p99 ingest latency,
// collector CPU and peak RSS; in the same run the same samples into Debian's victoria-metrics
// through /api/v1/import, and the ratio. Then the real-time mode: many agents at a real 10 s
// interval for a minute, giving the collector's CPU (% of one core) and p99 latency.
//
//   node bench/ingest.mjs [--agents 1000,10000] [--samples 3600000] [--connections 32] [--batch-cycles 1]
//                         [--runs 3] [--realtime-agents 10000] [--realtime 60s] [--realtime-runs 1]
//
// Aims: ≥ 150,000 samples/s into PostgreSQL on a 2-core machine; for 10,000 hosts at 10 s,
// ≤ 60 % of one core and p99 < 50 ms. A database hostpulse_bench_* is created and dropped.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { Pool } from 'undici';
import { parseDuration } from '../shared/dist/index.js';
import { createFleet } from '../collector/dist/simulate/fleet.js';
import { sampleHost } from '../collector/dist/simulate/host-model.js';
import { agentOffsetMs, backfillCycles, planBackfill } from '../collector/dist/simulate/schedule.js';
import { LatencyHistogram } from '../collector/dist/simulate/latency.js';
import {
  SIMULATED_INTERVAL_MS as INTERVAL_MS, SIMULATED_SERIES as SERIES, SIMULATE_SEED as SEED, backfillFor,
  countStoredRows, cpuSeconds, freePort, median, residentBytes, runSimulate, sleep, start, startPostgresCollector, stop,
  tempDir, waitHttp, histogramBetween, histogramOf, scrape,
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

async function hostpulseBackfill(agents, run) {
  const { cycles, text } = backfillFor(agents, totalSamples);
  const collector = await startCollector(`${agents}_${run}`);
  try {
    const r = await runSimulate(collector, ['--agents', String(agents), '--backfill', text, '--connections', String(connections),
      '--batch-cycles', String(batchCycles)]);
    const rows = await countStoredRows(collector.dbUrl);
    const expected = agents * cycles * SERIES;
    return {
      samplesPerSecond: rows.samples / r.summary.seconds,
      p50: r.summary.p50Ms,
      p99: r.summary.p99Ms,
      cpu: r.collectorCpuPercent,
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

/** The same samples, as many cycles per request as hostpulse gets, into victoria-metrics' JSON import. */
async function victoriaBackfill(agents) {
  const { cycles } = backfillFor(agents, totalSamples);
  const dir = tempDir('vm');
  const port = await freePort();
  const vm = start('/usr/bin/victoria-metrics', [`-httpListenAddr=127.0.0.1:${port}`, `-storageDataPath=${dir}`, '-loggerLevel=ERROR'], join(dir, 'vm.log'));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitHttp(`${url}/health`);
    const client = new Pool(url, { connections, pipelining: 1 });
    const fleet = createFleet({ agents, seed: SEED, prefix: 'sim' });
    const model = { seed: SEED, perHostPerDay: 0, intervalMs: INTERVAL_MS };
    const plan = planBackfill(Date.now(), cycles * INTERVAL_MS, INTERVAL_MS, batchCycles);
    const latency = new LatencyHistogram();
    const cpu0 = cpuSeconds(vm.pid);
    let peakRss = 0;
    const poll = setInterval(() => (peakRss = Math.max(peakRss, residentBytes(vm.pid))), 500);
    let next = 0;
    let samples = 0;
    const t0 = performance.now();
    async function worker() {
      for (let job = next++; job < plan.batchesPerAgent * agents; job = next++) {
        const host = fleet[job % agents];
        const offset = agentOffsetMs(host.index, agents, INTERVAL_MS);
        const times = backfillCycles(plan, Math.floor(job / agents), batchCycles, offset, INTERVAL_MS);
        const lines = times.flatMap((t) => sampleHost(host, t, model).samples.map((s) =>
          JSON.stringify({ metric: { __name__: s.metric, host: host.hostName, ...s.labels }, values: [s.value], timestamps: [t] })));
        const body = gzipSync(lines.join('\n'));
        const started = performance.now();
        const answer = await client.request({ path: '/api/v1/import', method: 'POST', body, headers: { 'content-encoding': 'gzip' } });
        await answer.body.dump();
        if (answer.statusCode !== 204) throw new Error(`victoria-metrics answered HTTP ${answer.statusCode}`);
        latency.record(performance.now() - started);
        samples += lines.length;
      }
    }
    await Promise.all(Array.from({ length: connections }, worker));
    const seconds = (performance.now() - t0) / 1000;
    clearInterval(poll);
    const cpu = ((cpuSeconds(vm.pid) - cpu0) / seconds) * 100;
    await client.close();
    return { samplesPerSecond: samples / seconds, p50: latency.percentile(50), p99: latency.percentile(99), cpu, rss: peakRss / 2 ** 20 };
  } finally {
    await stop(vm);
  }
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
    const r = await runSimulate(collector, ['--agents', String(agents), '--interval', '10s', '--duration', duration, '--connections', '256']);
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

console.log(`ingest via simulate: agents of ${SERIES} series at a 10 s interval, ${connections} connections, ` +
  `${batchCycles} cycle(s) per batch, median of ${runs} runs`);
for (const agents of flags.agents.split(',').map(Number)) {
  const { cycles, text } = backfillFor(agents, totalSamples);
  console.log(`\n${n(agents)} agents, --backfill ${text} (${cycles} cycles, ${n(agents * cycles * SERIES)} samples)`);
  const ours = [];
  const theirs = [];
  for (let run = 1; run <= runs; run++) {
    const r = await hostpulseBackfill(agents, run);
    ours.push(r);
    console.log(`  run ${run} hostpulse → PostgreSQL: ${n(r.samplesPerSecond)} samples/s, p50 ${ms(r.p50)}, p99 ${ms(r.p99)}, ` +
      `collector CPU ${r.cpu.toFixed(0)} %, RSS ${r.rss.toFixed(0)} MiB, simulate CPU ${r.simCpu.toFixed(0)} %, ` +
      `rows ${n(r.rows.samples)}/${n(r.expected)} ${r.exact ? 'exactly once' : 'MISMATCH'}, retries ${r.retries}, progress lines ${r.progressLines}`);
    if (!flags['skip-peer']) {
      const v = await victoriaBackfill(agents);
      theirs.push(v);
      console.log(`  run ${run} victoria-metrics:        ${n(v.samplesPerSecond)} samples/s, p50 ${ms(v.p50)}, p99 ${ms(v.p99)}, ` +
        `CPU ${v.cpu.toFixed(0)} %, RSS ${v.rss.toFixed(0)} MiB`);
    }
    await sleep(1000);
  }
  console.log(`  median hostpulse → PostgreSQL ${n(m(ours, 'samplesPerSecond'))} samples/s, p50 ${ms(m(ours, 'p50'))}, ` +
    `p99 ${ms(m(ours, 'p99'))}, CPU ${m(ours, 'cpu').toFixed(0)} %, RSS ${m(ours, 'rss').toFixed(0)} MiB`);
  if (theirs.length) {
    console.log(`  median victoria-metrics        ${n(m(theirs, 'samplesPerSecond'))} samples/s, p50 ${ms(m(theirs, 'p50'))}, ` +
      `p99 ${ms(m(theirs, 'p99'))}, CPU ${m(theirs, 'cpu').toFixed(0)} %, RSS ${m(theirs, 'rss').toFixed(0)} MiB`);
    console.log(`  ratio hostpulse / victoria-metrics: ${(m(ours, 'samplesPerSecond') / m(theirs, 'samplesPerSecond')).toFixed(2)}`);
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
