// Query latency after a long backfill: a 30-day query of one metric for one host (answered from
// the 5-minute rollups) and a 1-day raw query, p50/p99 through the real HTTP API of a real
// collector on PostgreSQL. In the same run the same series and times go into Debian's
// victoria-metrics and are asked the same questions through its /api/v1/query_range.
//
//   node bench/query.mjs [--hosts 100] [--days 30] [--old-series 1] [--full-hours 24] [--writers 2]
//                        [--trials 50] [--runs 3] [--long-steps 1h,5m] [--skip-peer]
//
// Aims (issue 5): p50/p99 under 100 ms for the 30-day query and under 50 ms for the 1-day one.
//
// The data is a documented shortcut: 100 hosts x 30 days x 60 series at 10 s is 1.5 billion
// samples, far too many for a shared 2-core machine. Every host is registered by one real cycle
// of `hostpulse-collector simulate` (its 60 series, with their real names and labels); then
// --old-series series per host (cpu_usage_percent, the queried metric, first) are written at
// 10 s over all --days, and all 60 series of every host over the last --full-hours. Samples
// are written server-side (INSERT ... SELECT generate_series) as the collector keeps them once
// its rollup job has folded them: one chunk per series and 5-minute bucket, bucket after bucket
// with the whole fleet's series together, so one series' day is 288 rows spread over as many
// pages as in production. The last bucket goes in as ingest's batch rows, for one timed run of
// the collector's own rollup job; see writePiece below. A database hostpulse_bench_* is created
// and dropped; victoria-metrics gets a temp dir, removed at the end.
import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { Pool } from 'undici';
import { parseDuration, silentLogger } from '../shared/dist/index.js';
import { openStorage } from '../collector/dist/storage/open-storage.js';
import {
  collectorBin, freePort, median, percentile, runNode, start, stop, tempDir, waitHttp,
} from './lib.mjs';

const { values: flags } = parseArgs({
  options: {
    hosts: { type: 'string', default: '100' },
    days: { type: 'string', default: '30' },
    'full-hours': { type: 'string', default: '24' },
    writers: { type: 'string', default: '2' },
    'old-series': { type: 'string', default: '1' },
    trials: { type: 'string', default: '50' },
    runs: { type: 'string', default: '3' },
    'long-steps': { type: 'string', default: '1h,5m' },
    'skip-peer': { type: 'boolean', default: false },
    vacuum: { type: 'boolean', default: false },
  },
});
const HOSTS = positive('hosts');
const DAYS = positive('days');
const FULL_HOURS = Math.min(DAYS * 24, wholeOrZero('full-hours'));
const WRITERS = positive('writers');
const OLD_SERIES = positive('old-series');
const TRIALS = positive('trials');
const RUNS = positive('runs');
const LONG_STEPS = flags['long-steps'].split(',').map((text) => ({ text, ms: parseDuration(text) }));
const METRIC = 'cpu_usage_percent';
const INTERVAL_MS = 10_000;
const BUCKET_MS = 300_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const SEED = 20261204;
/** fold.ts's IN_FLIGHT_MARGIN_MS: a bucket is folded a minute after it ends. */
const FOLD_MARGIN_MS = 60_000;
const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

function positive(name) {
  const value = Number(flags[name]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} ${flags[name]}: not a whole number ≥ 1`);
  return value;
}

function wholeOrZero(name) {
  const value = Number(flags[name]);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} ${flags[name]}: not a whole number ≥ 0`);
  return value;
}

const n = (x) => Math.round(x).toLocaleString('en');
const ms = (x) => `${x.toFixed(1)} ms`;
const gb = (bytes) => `${(bytes / 1e9).toFixed(2)} GB`;
const since = (t0) => `${((performance.now() - t0) / 1000).toFixed(0)} s`;

// The value of series `key` at time t, computed alike here (for victoria-metrics and the
// checks) and in PostgreSQL: a day curve with a per-series phase plus a deterministic wobble.
// Integer arithmetic stays below 2^53, so both sides compute the same wobble exactly.
const VALUE_SQL = (key, t) =>
  `30 + 25 * sin(2 * pi() * ((${t} + ${key}::bigint * 25200000) % ${DAY_MS}) / ${DAY_MS}.0)` +
  ` + ((${t} / ${INTERVAL_MS} * 7919 + ${key}::bigint * 104729) % 1000) / 100.0`;
function valueAt(key, t) {
  return 30 + 25 * Math.sin((2 * Math.PI * ((t + key * 25_200_000) % DAY_MS)) / DAY_MS) +
    ((Math.floor(t / INTERVAL_MS) * 7919 + key * 104_729) % 1000) / 100;
}

// ---------------------------------------------------------------------------------------------
// The only direct writes into the collector's tables (migration 011, "sample_chunks"). Should
// the layout of raw samples change again, this is the one place to adapt.
//
// A finished 5-minute bucket is written as the fold job (fold.ts) leaves it: one sample_chunks
// row per series and bucket, times and values as sorted arrays, in the same statement as its
// rollup, computed from the very arrays written (min, max, sum, count, newest: what the job
// computes). Each statement writes up to an hour of whole buckets, bucket after bucket with
// every series of the bucket together, as the job folds a fleet's batches. The last bucket is
// written as ingest writes it instead, one sample_batches row per host and 10 s cycle, so the
// collector's own rollup job folds it, makes its rollups and records rolled_through_ms (the
// bench times that one run). The job could fold the whole history too, but only at ingest's
// pace of writing batch rows first: the shortcut is what makes a month of a fleet fit here.
// The daily chunk partitions are made UNLOGGED: the load then writes no WAL on the shared
// server; reads of an unlogged table are the same as of a logged one.

const WRITE_CHUNKS = `
WITH written AS (
  INSERT INTO sample_chunks (series_id, bucket_ms, times_ms, vals)
  SELECT s.id, b.b, c.times_ms, c.vals
  FROM generate_series($3::bigint, $4::bigint, ${BUCKET_MS}) AS b (b)
  -- OFFSET 0 keeps the subquery apart, so its reference to b makes b the outer loop: bucket-major.
  CROSS JOIN LATERAL (
    SELECT u.id, u.key, b.b AS at FROM unnest($1::int[], $2::int[]) AS u (id, key) OFFSET 0) AS s
  CROSS JOIN LATERAL (
    SELECT array_agg(t.t ORDER BY t.t) AS times_ms,
      array_agg(${VALUE_SQL('s.key', 't.t')} ORDER BY t.t) AS vals
    FROM generate_series(b.b, b.b + ${BUCKET_MS - INTERVAL_MS}, ${INTERVAL_MS}) AS t (t)) AS c
  RETURNING series_id, bucket_ms, times_ms, vals
)
INSERT INTO samples_5m (series_id, bucket_ms, min_value, max_value, sum_value, count, last_ms, last_value)
SELECT w.series_id, w.bucket_ms, r.*
FROM written w CROSS JOIN LATERAL (
  SELECT min(u.v), max(u.v), sum(u.v), count(*), max(u.t), (array_agg(u.v ORDER BY u.t DESC))[1]
  FROM unnest(w.times_ms, w.vals) AS u (t, v)) AS r`;

// One row per host and cycle: all of that host's series at that time, as one agent batch.
const WRITE_BATCHES = `
INSERT INTO sample_batches (host_id, from_ms, to_ms, series_ids, times_ms, vals)
SELECT se.host_id, t.t, t.t, array_agg(u.id ORDER BY u.n), array_agg(t.t ORDER BY u.n),
  array_agg(${VALUE_SQL('u.key', 't.t')} ORDER BY u.n)
FROM generate_series($3::bigint, $4::bigint, ${INTERVAL_MS}) AS t (t)
CROSS JOIN unnest($1::int[], $2::int[]) WITH ORDINALITY AS u (id, key, n)
JOIN series se ON se.id = u.id
GROUP BY t.t, se.host_id
ORDER BY t.t, se.host_id`;

/** Makes the daily partitions of sample_chunks (UNLOGGED) and the monthly ones of samples_5m. */
async function preparePartitions(db, startMs, endMs) {
  for (let day = startMs - (startMs % DAY_MS); day < endMs; day += DAY_MS) {
    await db.query("SELECT hostpulse_ensure_partition('sample_chunks', $1)", [day]);
    // Named as migration 011 names them; today's may exist already (made at the collector's start).
    const part = `sample_chunks_${new Date(day).toISOString().slice(0, 10).replaceAll('-', '')}`;
    await db.query(`ALTER TABLE ${part} SET UNLOGGED`);
    await db.query("SELECT hostpulse_ensure_partition('samples_5m', $1)", [day]);
  }
}

/**
 * Writes the samples of `series` every 10 s in [fromMs, toMs) (whole 5-minute buckets):
 * `as: 'chunks'` folded with their rollups, `'batches'` as ingest leaves them for the rollup
 * job. Returns the number of samples written.
 */
async function writePiece(db, series, fromMs, toMs, { as }) {
  const ids = series.map((s) => s.id);
  const keys = series.map((s) => s.key);
  if (as === 'chunks') await db.query(WRITE_CHUNKS, [ids, keys, fromMs, toMs - BUCKET_MS]);
  else await db.query(WRITE_BATCHES, [ids, keys, fromMs, toMs - INTERVAL_MS]);
  return series.length * ((toMs - fromMs) / INTERVAL_MS);
}
// ---------------------------------------------------------------------------------------------

/** A fresh database, migrated, with an agent and a viewer token; the collector not started. */
async function prepareDatabase(dir) {
  const dbName = `hostpulse_bench_query_${process.pid}`;
  const admin = new pg.Client(ADMIN_URL);
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const dbUrl = `postgres://postgres@127.0.0.1:5432/${dbName}`;
  const port = await freePort();
  const config = join(dir, 'collector.yaml');
  // Raw samples are kept past the backfill, so the collector's own jobs never drop what the
  // bench has written nor skip rolling it up; one agent token serves the whole fleet.
  writeFileSync(config, [
    `listen: 127.0.0.1:${port}`,
    `data_dir: ${dir}`,
    `database: { url: "${dbUrl}", pool_max: 10 }`,
    `retention: { raw: ${DAYS + 2}d }`,
    'limits: { ingest_per_token: { requests_per_second: 0 } }',
    'log_level: warn',
    '',
  ].join('\n'));
  const drop = async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  };
  try {
    runNode([collectorBin, 'migrate', '--config', config]);
    const tokenOf = (args) => /hp_[A-Za-z0-9_-]+/.exec(runNode([collectorBin, 'token', 'create', ...args, '--config', config]))[0];
    const agentTokenFile = join(dir, 'agent.token');
    writeFileSync(agentTokenFile, tokenOf(['--agent', 'simulator']));
    const viewerToken = tokenOf(['--api', 'bench', '--role', 'viewer']);
    return { dir, dbName, dbUrl, config, url: `http://127.0.0.1:${port}`, agentTokenFile, viewerToken, drop };
  } catch (err) {
    await drop();
    throw err;
  }
}

async function startCollector(db) {
  const child = start(process.execPath, [collectorBin, '--config', db.config], join(db.dir, 'collector.log'));
  await waitHttp(`${db.url}/readyz`);
  return child;
}

/** One real cycle of every simulated host through the ingest API: hosts and series as an agent makes them. */
async function registerFleet(db) {
  const child = await startCollector(db);
  try {
    runNode([collectorBin, 'simulate', '--url', db.url, '--token-file', db.agentTokenFile, '--agents', String(HOSTS),
      '--backfill', `${INTERVAL_MS / 1000}s`, '--seed', String(SEED), '--incidents', '0', '--json']);
  } finally {
    await stop(child);
  }
}

/** Every series with its host, and a key (host index x 64 + series index) the values derive from. */
async function readSeries(client) {
  const { rows } = await client.query(`
    SELECT s.id, s.metric, s.labels, h.name AS host
    FROM series s JOIN hosts h ON h.id = s.host_id
    ORDER BY h.name COLLATE "C", s.id`);
  const hosts = [...new Set(rows.map((r) => r.host))];
  const byHost = new Map(hosts.map((h) => [h, []]));
  for (const row of rows) byHost.get(row.host).push(row);
  const all = [];
  const old = [];
  hosts.forEach((host, h) => {
    // The queried metric first, so that it is among the series written for the older days.
    const list = byHost.get(host).sort((a, b) => (b.metric === METRIC) - (a.metric === METRIC) || a.id - b.id);
    list.forEach((row, i) => {
      const entry = { ...row, key: h * 64 + i };
      all.push(entry);
      if (i < OLD_SERIES) old.push(entry);
    });
  });
  return { hosts, all, old };
}

/**
 * The history as pieces of at most maxMs, cut at day ends (partitions), where the full-series
 * hours start, and before the last 5-minute bucket; each with the series written in it.
 */
function planPieces(series, startMs, endMs, maxMs) {
  const fullFrom = endMs - FULL_HOURS * HOUR_MS;
  const lastBucket = endMs - BUCKET_MS;
  const pieces = [];
  for (let from = startMs; from < endMs;) {
    const cuts = [from + maxMs, from - (from % DAY_MS) + DAY_MS, endMs];
    for (const cut of [fullFrom, lastBucket]) if (from < cut) cuts.push(cut);
    const to = Math.min(...cuts);
    pieces.push({ from, to, series: from >= fullFrom ? series.all : series.old, last: from >= lastBucket });
    from = to;
  }
  return pieces;
}

async function loadHostpulse(db, series, startMs, endMs) {
  const storage = await openStorage({
    databaseUrl: db.dbUrl, poolMax: 2, dataDir: db.dir, log: silentLogger(),
    policy: { rawRetentionMs: (DAYS + 2) * DAY_MS, rollupRetentionMs: 400 * DAY_MS, seriesPerHost: 10_000 },
  });
  const clients = [];
  try {
    for (let i = 0; i < WRITERS; i++) {
      const client = new pg.Client(db.dbUrl);
      await client.connect();
      clients.push(client);
    }
    await preparePartitions(clients[0], startMs, endMs);
    const pieces = planPieces(series, startMs, endMs, HOUR_MS);
    const last = pieces.filter((p) => p.last);
    const total = pieces.reduce((sum, p) => sum + p.series.length * ((p.to - p.from) / INTERVAL_MS), 0);
    const t0 = performance.now();
    let rows = 0;
    let lastProgress = t0;
    let next = 0;
    // Writers take the pieces in time order, so every partition fills time after time.
    const writer = async (client) => {
      for (let piece = pieces[next++]; piece; piece = pieces[next++]) {
        if (piece.last) continue;
        const written = await writePiece(client, piece.series, piece.from, piece.to, { as: 'chunks' });
        rows += written;
        if (performance.now() - lastProgress > 15_000) {
          lastProgress = performance.now();
          console.log(`  loading: ${(rows / total * 100).toFixed(0)} %, ${n(rows)} samples, ${since(t0)}`);
        }
      }
    };
    await Promise.all(clients.map(writer));
    for (const piece of last) {
      rows += await writePiece(clients[0], piece.series, piece.from, piece.to, { as: 'batches' });
    }
    const seconds = (performance.now() - t0) / 1000;
    const db0 = clients[0];
    // The job leaves a bucket to its late senders for a minute after it ends (fold.ts); a load
    // quicker than that waits, so that this run takes the last bucket as its schedule would.
    const foldableAt = endMs + FOLD_MARGIN_MS;
    if (Date.now() < foldableAt) await sleep(foldableAt - Date.now());
    // One run of the collector's rollup job with the last bucket of every host as batch rows,
    // as its schedule would run it now; it also records rolled_through_ms for queries.
    const r0 = performance.now();
    let rollupJob;
    try {
      const result = await storage.rollUp(Date.now());
      const through = (await db0.query(
        "SELECT value_ms::bigint AS t FROM storage_state WHERE name = 'rolled_through_ms'")).rows[0]?.t;
      const rolledThrough = through === undefined ? 'not recorded' : new Date(Number(through)).toISOString();
      rollupJob = `${n(result.rolledSamples)} samples folded into ${n(result.writtenChunks)} chunks in ${since(r0)}, ` +
        `rolled_through_ms ${rolledThrough}` +
        (Number(through) >= endMs ? '' : ` (IMPLAUSIBLE: the history ends at ${new Date(endMs).toISOString()})`);
    } catch (err) {
      rollupJob = `failed after ${since(r0)}: ${err.message}`;
    }
    // samples is a view over both raw tables (migration 011): maintenance and counts go to the
    // tables themselves. --vacuum: as autovacuum has done to older partitions in production
    // (pages all-visible, hint bits set); without it the load is queried as just written.
    const raw = 'sample_chunks, sample_batches';
    await db0.query(flags.vacuum ? `VACUUM (ANALYZE) ${raw}` : `ANALYZE ${raw}`);
    await db0.query('ANALYZE samples_5m');
    const size = async (table) => Number((await db0.query(
      'SELECT coalesce(sum(pg_total_relation_size(relid)), 0)::bigint AS b FROM pg_partition_tree($1)', [table])).rows[0].b);
    const one = async (sql) => Number((await db0.query(sql)).rows[0].c);
    // Counting array elements reads each row once, where counting the view would unnest them all.
    const samplesIn = (table) => `SELECT coalesce(sum(cardinality(times_ms)), 0)::bigint AS c FROM ${table}`;
    const database = Number((await db0.query('SELECT pg_database_size(current_database())::bigint AS b')).rows[0].b);
    return {
      rows, seconds, rollupJob,
      samples: await one(samplesIn('sample_chunks')) + await one(samplesIn('sample_batches')),
      chunks: await one('SELECT count(*)::bigint AS c FROM sample_chunks'),
      batchRows: await one('SELECT count(*)::bigint AS c FROM sample_batches'),
      rollups: await one('SELECT count(*)::bigint AS c FROM samples_5m'),
      samplesBytes: await size('sample_chunks') + await size('sample_batches'),
      rollupBytes: await size('samples_5m'), database,
    };
  } finally {
    for (const client of clients) await client.end();
    await storage.close();
  }
}

/** The same series and times into victoria-metrics' JSON import, one line per series and piece. */
async function loadVictoria(vmUrl, series, startMs, endMs) {
  const client = new Pool(vmUrl, { connections: 2, pipelining: 1 });
  const t0 = performance.now();
  let samples = 0;
  const jobs = [];
  for (const piece of planPieces(series, startMs, endMs, DAY_MS)) {
    for (let i = 0; i < piece.series.length; i += 50) jobs.push({ ...piece, series: piece.series.slice(i, i + 50) });
  }
  let next = 0;
  async function worker() {
    for (let job = jobs[next++]; job; job = jobs[next++]) {
      const timestamps = [];
      for (let t = job.from; t < job.to; t += INTERVAL_MS) timestamps.push(t);
      const lines = job.series.map((s) => JSON.stringify({
        metric: { __name__: s.metric, host: s.host, ...s.labels },
        values: timestamps.map((t) => valueAt(s.key, t)),
        timestamps,
      }));
      samples += timestamps.length * job.series.length;
      const answer = await client.request({ path: '/api/v1/import', method: 'POST', body: lines.join('\n') });
      await answer.body.dump();
      if (answer.statusCode !== 204) throw new Error(`victoria-metrics import answered HTTP ${answer.statusCode}`);
    }
  }
  await Promise.all([worker(), worker()]);
  await client.close();
  // Imported samples become searchable once flushed from memory.
  await fetch(`${vmUrl}/internal/force_flush`);
  return { samples, seconds: (performance.now() - t0) / 1000 };
}

/** One timed GET whose answer is read whole; parsing happens after the clock stops. */
async function timedGet(client, path, headers) {
  const started = performance.now();
  const answer = await client.request({ path, method: 'GET', headers });
  const text = await answer.body.text();
  const elapsed = performance.now() - started;
  if (answer.statusCode !== 200) throw new Error(`GET ${path} answered HTTP ${answer.statusCode}: ${text.slice(0, 300)}`);
  return { ms: elapsed, body: JSON.parse(text) };
}

function hostpulseQuery(kind, host, range) {
  const params = new URLSearchParams({ metric: METRIC, host, from: String(range.from), to: String(range.to) });
  if (kind.stepMs) params.set('step', kind.step);
  return `/api/v1/query?${params}`;
}

function victoriaQuery(kind, host, range) {
  const selector = `${METRIC}{host="${host}"}`;
  // Without a step hostpulse answers raw samples: asked at the sample interval, victoria-metrics
  // answers each raw sample. With one, the average over each step.
  const step = kind.stepMs ?? INTERVAL_MS;
  const query = kind.stepMs ? `avg_over_time(${selector}[${kind.step}])` : selector;
  const params = new URLSearchParams({
    query, start: String(range.from / 1000), end: String(range.to / 1000), step: `${step / 1000}s`, nocache: '1',
  });
  return `/api/v1/query_range?${params}`;
}

/** Points of a hostpulse or victoria-metrics answer, its first point, and the last of hostpulse's. */
function pointsOf(body) {
  if (body.series) {
    const points = body.series[0]?.points ?? [];
    return { count: points.length, first: points[0], last: points.at(-1) };
  }
  const values = body.data.result[0]?.values ?? [];
  return { count: values.length, first: values[0] && [values[0][0] * 1000, Number(values[0][1])] };
}

async function measure(kinds, hosts, ours, theirs) {
  const perRun = kinds.map(() => ({ ours: [], theirs: [] }));
  for (let run = 1; run <= RUNS; run++) {
    const times = kinds.map(() => ({ ours: [], theirs: [], oursPoints: new Set(), theirPoints: new Set(), bad: [] }));
    for (let trial = 0; trial < TRIALS; trial++) {
      // A different host each trial, and a different order of hosts each run.
      const host = hosts[(trial * 37 + run * 11) % hosts.length];
      for (const [k, kind] of kinds.entries()) {
        const r = await timedGet(ours.client, hostpulseQuery(kind, host, kind.range), ours.headers);
        times[k].ours.push(r.ms);
        const p = pointsOf(r.body);
        times[k].oursPoints.add(p.count);
        if (p.count !== kind.expected) times[k].bad.push(`hostpulse ${host}: ${p.count} points`);
        // The first point comes from a chunk the bench wrote, the last from one the rollup job folded.
        for (const point of kind.stepMs ? [] : [p.first, p.last].filter(Boolean)) {
          const written = kind.valueOf(host, point[0]);
          if (Math.abs(point[1] - written) > 1e-9) {
            times[k].bad.push(`hostpulse ${host}: value ${point[1]} at ${point[0]}, written ${written}`);
          }
        }
        if (theirs) {
          const v = await timedGet(theirs.client, victoriaQuery(kind, host, kind.range), {});
          times[k].theirs.push(v.ms);
          const q = pointsOf(v.body);
          times[k].theirPoints.add(q.count);
          // victoria-metrics counts its steps from `start`, hostpulse buckets on the epoch.
          if (Math.abs(q.count - kind.expected) > 1) times[k].bad.push(`victoria-metrics ${host}: ${q.count} points`);
        }
      }
    }
    for (const [k, kind] of kinds.entries()) {
      const t = times[k];
      const row = { p50: percentile(t.ours, 50), p99: percentile(t.ours, 99) };
      perRun[k].ours.push(row);
      let line = `  run ${run} ${kind.label}: hostpulse p50 ${ms(row.p50)}, p99 ${ms(row.p99)} ` +
        `(points ${[...t.oursPoints].join('/')})`;
      if (theirs) {
        const peer = { p50: percentile(t.theirs, 50), p99: percentile(t.theirs, 99) };
        perRun[k].theirs.push(peer);
        line += `; victoria-metrics p50 ${ms(peer.p50)}, p99 ${ms(peer.p99)} (points ${[...t.theirPoints].join('/')})`;
      }
      console.log(line);
      for (const problem of t.bad.slice(0, 5)) console.log(`    IMPLAUSIBLE ${problem}`);
      if (t.bad.length > 5) console.log(`    ... ${t.bad.length - 5} more`);
    }
  }
  return perRun;
}

// --- main ---

const dir = tempDir('query');
const db = await prepareDatabase(dir);
let collector;
let vm;
try {
  console.log(`query: ${HOSTS} hosts, ${DAYS} days at 10 s (the last ${FULL_HOURS} h all 60 series per host, ` +
    `before that ${OLD_SERIES} series per host), ${TRIALS} trials per query and run, median of ${RUNS} runs`);
  await registerFleet(db);
  const admin = new pg.Client(db.dbUrl);
  await admin.connect();
  const series = await readSeries(admin);
  // The written history ends at the 5-minute bucket where the simulated cycle begins.
  // Its batches may have been folded already (its bucket ended), leaving chunks of that bucket.
  const firstSimulated = Number((await admin.query(`
    SELECT least((SELECT min(from_ms) FROM sample_batches), (SELECT min(bucket_ms) FROM sample_chunks))::bigint AS t`,
  )).rows[0].t);
  await admin.end();
  const endMs = firstSimulated - (firstSimulated % BUCKET_MS);
  const startMs = endMs - DAYS * DAY_MS;
  const expectedRows = FULL_HOURS * HOUR_MS / INTERVAL_MS * series.all.length +
    (DAYS * 24 - FULL_HOURS) * HOUR_MS / INTERVAL_MS * series.old.length;
  console.log(`  ${series.hosts.length} hosts, ${series.all.length} series registered; writing ${n(expectedRows)} samples`);

  const loaded = await loadHostpulse(db, series, startMs, endMs);
  console.log(`hostpulse load: ${n(loaded.rows)} samples written in ${loaded.seconds.toFixed(0)} s ` +
    `(${n(loaded.rows / loaded.seconds)} samples/s, with their rollups); ` +
    `raw samples ${n(loaded.samples)} (sample_chunks ${n(loaded.chunks)} rows, sample_batches ` +
    `${n(loaded.batchRows)} rows) ${gb(loaded.samplesBytes)}, samples_5m ${n(loaded.rollups)} rows ` +
    `${gb(loaded.rollupBytes)}, database ${gb(loaded.database)}`);
  console.log(`  rollup job, one run with the last 5-minute bucket of every host as batch rows: ` +
    loaded.rollupJob);
  if (loaded.rows !== expectedRows) console.log(`  IMPLAUSIBLE: ${n(expectedRows)} samples expected`);

  let theirs;
  if (!flags['skip-peer']) {
    const vmDir = tempDir('query-vm');
    const port = await freePort();
    vm = start('/usr/bin/victoria-metrics', [`-httpListenAddr=127.0.0.1:${port}`, `-storageDataPath=${vmDir}`,
      '-retentionPeriod=2y', '-loggerLevel=ERROR'], join(vmDir, 'vm.log'));
    vm.dir = vmDir;
    const vmUrl = `http://127.0.0.1:${port}`;
    await waitHttp(`${vmUrl}/health`);
    const v = await loadVictoria(vmUrl, series, startMs, endMs);
    console.log(`victoria-metrics load: ${n(v.samples)} samples in ${v.seconds.toFixed(0)} s ` +
      `(${n(v.samples / v.seconds)} samples/s)`);
    theirs = { client: new Pool(vmUrl, { connections: 1 }) };
  }

  collector = await startCollector(db);
  const ours = { client: new Pool(db.url, { connections: 1 }), headers: { authorization: `Bearer ${db.viewerToken}` } };
  const keyOf = new Map(series.all.filter((s) => s.metric === METRIC).map((s) => [s.host, s.key]));
  const bucketsIn = (from, to, step) => Math.floor(to / step) - Math.floor(from / step) + 1;
  const rawRange = { from: endMs - DAY_MS, to: endMs - 1 };
  // A minute after the first bucket, as "the last 30 days" asked at any time would: that first
  // partial bucket is read from raw samples, the rest from rollups.
  const longRange = { from: startMs + 60_000, to: endMs - 1 };
  const kinds = [
    { label: '1-day raw', range: rawRange, expected: DAY_MS / INTERVAL_MS, valueOf: (host, t) => valueAt(keyOf.get(host), t) },
    ...LONG_STEPS.map(({ text, ms: stepMs }) => ({
      label: `${DAYS}-day step ${text}`, step: text, stepMs, range: longRange,
      expected: bucketsIn(longRange.from, longRange.to, stepMs),
    })),
  ];
  console.log(`queries of ${METRIC} for one host, a different host each trial, answered whole; ` +
    `victoria-metrics with nocache=1: ${kinds.map((k) => `${k.label} (${n(k.expected)} points)`).join(', ')}`);
  const perRun = await measure(kinds, series.hosts, ours, theirs);
  await ours.client.close();
  if (theirs) await theirs.client.close();

  for (const [k, kind] of kinds.entries()) {
    const at = (list, key) => median(list.map((r) => r[key]));
    const o = perRun[k].ours;
    let line = `median ${kind.label}: hostpulse p50 ${ms(at(o, 'p50'))}, p99 ${ms(at(o, 'p99'))}`;
    if (theirs) {
      const t = perRun[k].theirs;
      line += `; victoria-metrics p50 ${ms(at(t, 'p50'))}, p99 ${ms(at(t, 'p99'))}; ratio hostpulse / victoria-metrics ` +
        `p50 ${(at(o, 'p50') / at(t, 'p50')).toFixed(1)}, p99 ${(at(o, 'p99') / at(t, 'p99')).toFixed(1)}`;
    }
    console.log(line);
  }
} finally {
  if (collector) await stop(collector);
  if (vm) {
    await stop(vm);
    rmSync(vm.dir, { recursive: true, force: true });
  }
  await db.drop();
  rmSync(dir, { recursive: true, force: true });
}
