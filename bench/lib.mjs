// Helpers shared by the benchmarks: process CPU and memory from /proc, statistics, processes,
// collectors on a throwaway PostgreSQL database driven by `hostpulse-collector simulate`.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, mkdtempSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer } from 'node:net';
import pg from 'pg';
import { unitNodeFlags } from '../scripts/unit-flags.mjs';

export const repo = resolve(import.meta.dirname, '..');
export const collectorBin = join(repo, 'collector', 'bin', 'hostpulse-collector.js');
export const agentBin = join(repo, 'agent', 'bin', 'hostpulse-agent.js');
const TICKS_PER_SECOND = 100; // USER_HZ; fixed at 100 on Linux for /proc/<pid>/stat

/** CPU seconds (user + system) the process has used so far. */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

export function residentBytes(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : NaN;
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function tempDir(prefix) {
  return mkdtempSync(join(tmpdir(), `hostpulse-bench-${prefix}-`));
}

export function freePort() {
  return new Promise((done) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

export function start(command, args, logFile, env = {}) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const out = createWriteStream(logFile, { flags: 'a' });
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  return child;
}

export function stop(child, signal = 'SIGTERM') {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    child.kill(signal);
  });
}

export function runNode(args) {
  const result = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

export async function waitHttp(url, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet; retried until the deadline
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

export function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

/** Starts a collector on embedded storage in a temp dir; returns its URL, agent token, stop(). */
export async function startEmbeddedCollector(dir, extraConfig = '') {
  const port = await freePort();
  const config = join(dir, 'collector.yaml');
  writeFileSync(config, `listen: 127.0.0.1:${port}\ndata_dir: ${dir}\n${extraConfig}`);
  runNode([collectorBin, 'migrate', '--config', config]);
  const token = /hp_[A-Za-z0-9_-]+/.exec(runNode([collectorBin, 'token', 'create', '--agent', 'bench', '--config', config]))[0];
  const child = start(process.execPath, [...unitNodeFlags('collector'), collectorBin, '--config', config], join(dir, 'collector.log'));
  const url = `http://127.0.0.1:${port}`;
  await waitHttp(`${url}/readyz`);
  return { url, token, config, child };
}

export const postgresAdminUrl = 'postgres://postgres@127.0.0.1:5432/postgres';
/** What `simulate` sends per agent and cycle, and the seed that makes its fleet repeatable. */
export const SIMULATED_SERIES = 60;
export const SIMULATED_INTERVAL_MS = 10_000;
export const SIMULATE_SEED = 20261204;

/**
 * A collector on a fresh database hostpulse_bench_<pid>_<tag> of the local PostgreSQL, with
 * `pool_max` as given; stop() ends it and drops the database.
 */
export async function startPostgresCollector({ tag, poolMax, dirPrefix }) {
  const dir = tempDir(dirPrefix);
  const dbName = `hostpulse_bench_${process.pid}_${tag}`;
  const admin = new pg.Client(postgresAdminUrl);
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const dbUrl = `postgres://postgres@127.0.0.1:5432/${dbName}`;
  const port = await freePort();
  const config = join(dir, 'collector.yaml');
  // One agent token serves the whole simulated fleet, so its rate limit is lifted here.
  const limits = 'limits: { ingest_per_token: { requests_per_second: 0 } }';
  const database = `database: { url: "${dbUrl}", pool_max: ${poolMax} }`;
  writeFileSync(config, `listen: 127.0.0.1:${port}\ndata_dir: ${dir}\n${database}\n${limits}\nlog_level: warn\n`);
  let child;
  try {
    runNode([collectorBin, 'migrate', '--config', config]);
    const created = runNode([collectorBin, 'token', 'create', '--agent', 'simulator', '--config', config]);
    const tokenFile = join(dir, 'agent.token');
    writeFileSync(tokenFile, /hp_[A-Za-z0-9_-]+/.exec(created)[0]);
    child = start(process.execPath, [...unitNodeFlags('collector'), collectorBin, '--config', config], join(dir, 'collector.log'));
    const url = `http://127.0.0.1:${port}`;
    await waitHttp(`${url}/readyz`);
    return { url, tokenFile, child, dbUrl, stop: () => dropAfter(child, admin, dbName) };
  } catch (err) {
    await dropAfter(child, admin, dbName);
    throw err;
  }
}

async function dropAfter(child, admin, dbName) {
  if (child) await stop(child);
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
}

/** Runs `simulate --json` against the collector while sampling its CPU and peak RSS. */
export async function runSimulate(collector, args) {
  const pid = collector.child.pid;
  const cpu0 = cpuSeconds(pid);
  let peakRss = residentBytes(pid);
  const poll = setInterval(() => (peakRss = Math.max(peakRss, residentBytes(pid))), 500);
  const t0 = performance.now();
  const child = spawn(process.execPath, [collectorBin, 'simulate', '--url', collector.url, '--token-file', collector.tokenFile,
    '--seed', String(SIMULATE_SEED), '--incidents', '0', '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let simCpu = 0;
  const simPoll = setInterval(() => {
    try { simCpu = cpuSeconds(child.pid); } catch { /* it has just exited; the last reading stands */ }
  }, 250);
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise((done) => child.on('exit', done));
  clearInterval(poll);
  clearInterval(simPoll);
  const seconds = (performance.now() - t0) / 1000;
  if (code !== 0) throw new Error(`simulate exited ${code}:\n${err.slice(-2000)}`);
  const summary = JSON.parse(out);
  return {
    summary,
    seconds,
    collectorCpuPercent: ((cpuSeconds(pid) - cpu0) / seconds) * 100,
    collectorRssMiB: peakRss / 2 ** 20,
    simulatorCpuPercent: (simCpu / seconds) * 100,
    progressLines: err.split('\n').filter((l) => l.startsWith('backfill')).length,
  };
}

/**
 * Samples and batch keys stored in a collector's PostgreSQL database: how the benchmarks check
 * that every sample was stored exactly once. The one place that knows the table layout.
 */
export async function countStoredRows(dbUrl) {
  const db = new pg.Client(dbUrl);
  await db.connect();
  try {
    const samples = await db.query('SELECT count(*)::bigint AS n FROM samples');
    const batches = await db.query('SELECT count(*)::bigint AS n FROM batches');
    return { samples: Number(samples.rows[0].n), batches: Number(batches.rows[0].n) };
  } finally {
    await db.end();
  }
}

/** The `simulate --backfill` length that gives `agents` about `samples` samples in all. */
export function backfillFor(agents, samples) {
  const cycles = Math.max(1, Math.round(samples / (agents * SIMULATED_SERIES)));
  return { cycles, text: `${(cycles * SIMULATED_INTERVAL_MS) / 1000}s` };
}

/** Every sample line of a Prometheus text page: name, labels as written, value. */
export function parseExposition(text) {
  const samples = [];
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z_:][A-Za-z0-9_:]*)(\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (match) samples.push({ name: match[1], labels: match[2] ?? '', value: Number(match[3]) });
  }
  return samples;
}

export async function scrape(url) {
  const answer = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5_000) });
  if (!answer.ok) throw new Error(`${url}/metrics answered HTTP ${answer.status}`);
  return parseExposition(await answer.text());
}

/** A histogram of a scrape as cumulative buckets (upper bound in seconds, count), sum and count. */
export function histogramOf(samples, name) {
  const buckets = samples
    .filter((s) => s.name === `${name}_bucket`)
    .map((s) => ({ le: Number(/le="([^"]+)"/.exec(s.labels)[1]), count: s.value }))
    .sort((a, b) => a.le - b.le);
  const one = (suffix) => samples.find((s) => s.name === `${name}${suffix}`)?.value;
  if (buckets.length === 0) throw new Error(`/metrics has no ${name}: is the collector on PostgreSQL?`);
  return { buckets, sum: one('_sum'), count: one('_count') };
}

/**
 * What a histogram recorded between two scrapes: the count, the mean in ms and, for each
 * quantile, the upper bound of the bucket holding it (Infinity past the last finite bucket).
 * The bound, not a value interpolated inside the bucket: that is all the page knows.
 */
export function histogramBetween(before, after, quantiles) {
  const count = after.count - before.count;
  if (count === 0) return { count, meanMs: 0, boundsMs: quantiles.map(() => 0) };
  const meanMs = ((after.sum - before.sum) / count) * 1000;
  const boundsMs = quantiles.map((q) => {
    const bucket = after.buckets.find((b, i) => b.count - before.buckets[i].count >= q * count);
    return bucket.le * 1000;
  });
  return { count, meanMs, boundsMs };
}
