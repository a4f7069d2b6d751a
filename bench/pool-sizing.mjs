// Pool sizing: the `hostpulse-collector simulate` load of bench/ingest.mjs into a collector on a
// fresh PostgreSQL database, once for each `database.pool_max` in --pools. Each collector gets
// the fleet's first cycle alone (every agent new to the process), then a backfill. For the
// backfill it prints samples/s stored (rows counted: every sample exactly once), p50/p99 ingest
// latency and collector CPU; for both phases the time requests waited for a pool connection:
// mean and p99 from the difference of the `hostpulse_db_pool_wait_seconds` histogram scraped
// from /metrics before and after, and the highest `hostpulse_db_pool_waiting_requests` and
// `hostpulse_db_pool_connections` seen by scraping once a second during it.
//
//   node bench/pool-sizing.mjs [--pools 2,5,10,20] [--agents 300] [--samples 180000]
//                              [--connections 32] [--runs 3]
//
// There is no outside peer for a pool size, so the peer is the collector's default pool_max
// (read from its config schema), measured in the same rounds: each round runs every pool size
// once, one after the other, so a machine that gets busier part way shows in all of them.
// The ratio is each size's median samples/s over the default's. Databases hostpulse_bench_*
// are created and dropped.
import { parseArgs } from 'node:util';
import { collectorConfigSchema } from '../collector/dist/config.js';
import {
  SIMULATED_INTERVAL_MS, SIMULATED_SERIES, backfillFor, countStoredRows, histogramBetween, histogramOf, median,
  runSimulate, scrape, sleep, startPostgresCollector,
} from './lib.mjs';

const { values: flags } = parseArgs({
  options: {
    pools: { type: 'string', default: '2,5,10,20' },
    agents: { type: 'string', default: '300' },
    samples: { type: 'string', default: '180000' },
    connections: { type: 'string', default: '32' },
    runs: { type: 'string', default: '3' },
  },
});

/** A whole number within [min, max] from a flag; otherwise exits 2 naming the flag and its value. */
function wholeNumber(name, text, min, max) {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    console.error(`pool-sizing: --${name}: "${text}" is not a whole number from ${min} to ${max}`);
    process.exit(2);
  }
  return value;
}

const poolMaxSchema = collectorConfigSchema.properties.database.properties.pool_max;
const DEFAULT_POOL = poolMaxSchema.default;
const requested = flags.pools.split(',')
  .map((p) => wholeNumber('pools', p.trim(), poolMaxSchema.minimum, poolMaxSchema.maximum));
const pools = [...new Set([...requested, DEFAULT_POOL])].sort((a, b) => a - b);
const agents = wholeNumber('agents', flags.agents, 1, 1_000_000);
const connections = wholeNumber('connections', flags.connections, 1, 10_000);
const runs = wholeNumber('runs', flags.runs, 1, 100);
const { cycles, text: backfill } = backfillFor(agents, wholeNumber('samples', flags.samples, 1, 1e10));
const expectedSamples = agents * cycles * SIMULATED_SERIES;
const firstSamples = agents * SIMULATED_SERIES;
const SCRAPE_EVERY_MS = 1_000;
const WAIT_HISTOGRAM = 'hostpulse_db_pool_wait_seconds';

function gauge(samples, name) {
  const found = samples.find((s) => s.name === name);
  if (!found) throw new Error(`/metrics has no ${name}: is the collector on PostgreSQL?`);
  return found.value;
}

const waitHistogram = (samples) => histogramOf(samples, WAIT_HISTOGRAM);

/** Connects made between two scrapes, their mean wait and the bound of the p99's bucket. */
function waitBetween(before, after) {
  const { count, meanMs, boundsMs } = histogramBetween(before, after, [0.99]);
  return { count, meanMs, p99BoundMs: boundsMs[0] };
}

/** Scrapes once a second until stop(), keeping the highest waiting-requests and open-connections gauges. */
function watchPool(url) {
  const seen = { waiting: 0, connections: 0, failedScrapes: 0 };
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const samples = await scrape(url);
        seen.waiting = Math.max(seen.waiting, gauge(samples, 'hostpulse_db_pool_waiting_requests'));
        seen.connections = Math.max(seen.connections, gauge(samples, 'hostpulse_db_pool_connections'));
      } catch (err) {
        // A scrape that times out under load loses one reading of a maximum; it is counted and
        // printed, and the before/after histogram does not depend on it.
        seen.failedScrapes++;
        seen.lastError = err.message;
      }
      await sleep(SCRAPE_EVERY_MS);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return seen;
    },
  };
}

/** One `simulate` load with the pool's wait histogram scraped before and after it, and its gauges during it. */
async function loadAndWatch(collector, args) {
  const before = waitHistogram(await scrape(collector.url));
  const watcher = watchPool(collector.url);
  const r = await runSimulate(collector, ['--agents', String(agents), '--connections', String(connections), ...args]);
  const seen = await watcher.stop();
  const after = waitHistogram(await scrape(collector.url));
  return { r, wait: { ...waitBetween(before, after), ...seen } };
}

async function measure(poolMax, run) {
  const collector = await startPostgresCollector({ tag: `pool${poolMax}_${run}`, poolMax, dirPrefix: 'pool-sizing' });
  try {
    // Each agent's first batch after a collector starts creates or looks up its host row and
    // series in a transaction of its own; only later batches share statements through the
    // group writer, which keeps at most pool_max - 1 of them in flight. The two phases load
    // the pool differently, so the first cycle is sent and measured on its own.
    const first = await loadAndWatch(collector, ['--backfill', `${SIMULATED_INTERVAL_MS / 1000}s`]);
    const rest = await loadAndWatch(collector, ['--backfill', backfill]);
    const rows = await countStoredRows(collector.dbUrl);
    return {
      poolMax,
      samplesPerSecond: (rows.samples - firstSamples) / rest.r.summary.seconds,
      p50: rest.r.summary.p50Ms,
      p99: rest.r.summary.p99Ms,
      cpu: rest.r.collectorCpuPercent,
      ...rest.wait,
      firstSeconds: first.r.summary.seconds,
      firstP99: first.r.summary.p99Ms,
      firstWait: first.wait,
      rows,
      exact: rows.samples === firstSamples + expectedSamples && rows.batches === agents + agents * cycles &&
        first.r.summary.samples === firstSamples && rest.r.summary.samples === expectedSamples,
      retries: first.r.summary.retries + rest.r.summary.retries,
    };
  } finally {
    await collector.stop();
  }
}

const n = (x) => Math.round(x).toLocaleString('en');
const ms = (x) => `${x.toFixed(1)} ms`;
const bound = (x) => (x === 0 ? 'none' : x === Infinity ? '> 10 s' : `≤ ${x} ms`);
const m = (list, key) => median(list.map((r) => r[key]));
function waitText(w) {
  const failed = w.failedScrapes ? `, ${w.failedScrapes} scrapes failed (${w.lastError})` : '';
  return `pool wait mean ${ms(w.meanMs)} p99 ${bound(w.p99BoundMs)} over ${n(w.count)} connects, ` +
    `max waiting ${w.waiting}, max open ${w.connections}${failed}`;
}

const added = requested.includes(DEFAULT_POOL) ? '' : ', added as the reference';
console.log(`pool sizing via simulate: ${n(agents)} agents of ${SIMULATED_SERIES} series, ${connections} connections; ` +
  `first cycle alone, then --backfill ${backfill} (${cycles} cycles, ${n(expectedSamples)} samples); ` +
  `pool_max ${pools.join(', ')} (default ${DEFAULT_POOL}${added}), median of ${runs} runs`);
const results = new Map(pools.map((p) => [p, []]));
for (let run = 1; run <= runs; run++) {
  for (const poolMax of pools) {
    const r = await measure(poolMax, run);
    results.get(poolMax).push(r);
    console.log(`  run ${run} pool_max ${String(poolMax).padStart(3)}: first cycle ${r.firstSeconds.toFixed(1)} s, ` +
      `p99 ${ms(r.firstP99)}, ${waitText(r.firstWait)}`);
    const stored = `rows ${n(r.rows.samples)}/${n(firstSamples + expectedSamples)} ${r.exact ? 'exactly once' : 'MISMATCH'}`;
    console.log(`  ${' '.repeat(String(run).length + 18)}backfill ${n(r.samplesPerSecond)} samples/s, ` +
      `p50 ${ms(r.p50)}, p99 ${ms(r.p99)}, collector CPU ${r.cpu.toFixed(0)} %, ${waitText(r)}, ${stored}, ` +
      `retries ${r.retries}`);
    await sleep(1000);
  }
}

function row(cells, widths) {
  return `  ${cells.map((c, i) => String(c).padStart(widths[i])).join(' ')}`;
}

const reference = m(results.get(DEFAULT_POOL), 'samplesPerSecond');
const widths = [8, 10, 8, 8, 5, 9, 9, 11, 8, 5, 9, 9, 9, 11];
console.log(`
medians; ratio = samples/s against pool_max ${DEFAULT_POOL} (the default) in the same runs`);
console.log(row(['', 'backfill', '', '', '', 'pool wait', '', '', '', '', 'first', 'cycle', 'pool wait', ''], widths));
console.log(row(['pool_max', 'samples/s', 'p50 ms', 'p99 ms', 'CPU %', 'mean ms', 'p99', 'max waiting', 'max open',
  'ratio', 'seconds', 'p99 ms', 'mean ms', 'max waiting'], widths));
for (const [poolMax, list] of results) {
  const first = list.map((r) => r.firstWait);
  console.log(row([
    poolMax,
    n(m(list, 'samplesPerSecond')),
    m(list, 'p50').toFixed(1),
    m(list, 'p99').toFixed(1),
    m(list, 'cpu').toFixed(0),
    m(list, 'meanMs').toFixed(2),
    bound(m(list, 'p99BoundMs')),
    m(list, 'waiting'),
    m(list, 'connections'),
    (m(list, 'samplesPerSecond') / reference).toFixed(2),
    m(list, 'firstSeconds').toFixed(1),
    m(list, 'firstP99').toFixed(1),
    m(first, 'meanMs').toFixed(1),
    m(first, 'waiting'),
  ], widths));
}
const inexact = [...results.values()].flat().filter((r) => !r.exact).length;
if (inexact > 0) console.log(`\n${inexact} run(s) did not store every sample exactly once: see MISMATCH above`);
