// Collector ingest: samples per second stored in PostgreSQL from many synthetic agents (60 series
// each, one sample per series per batch) pushing concurrently, with p50/p99 ingest latency; in the
// same run the same load into Debian's victoria-metrics through its JSON import API.
//   node bench/ingest.mjs [--agents 1000] [--concurrency 32] [--seconds 20] [--runs 3]
// Aim (issue 2): at least 100,000 samples/s with p99 under 100 ms on this 2-core machine.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import pg from 'pg';
import { Pool } from 'undici';
import { encodeBatch } from '../shared/dist/index.js';
import {
  arg, collectorBin, cpuSeconds, freePort, median, percentile, residentBytes, runNode, sleep, start, stop, tempDir, waitHttp,
} from './lib.mjs';

const agents = Number(arg('agents', '1000'));
const concurrency = Number(arg('concurrency', '32'));
const seconds = Number(arg('seconds', '20'));
const runs = Number(arg('runs', '3'));
const SERIES = 60;
const adminUrl = 'postgres://postgres@127.0.0.1:5432/postgres';

const metrics = Array.from({ length: SERIES }, (_, i) => `bench_metric_${i}`);

function batchFor(agent, seq, nowMs) {
  return {
    agentId: `bench-agent-${agent}`,
    hostName: `bench-${agent}`,
    agentVersion: 'bench',
    incarnation: 'bench-run',
    seq,
    sentAtMs: nowMs,
    intervalMs: 10_000,
    series: metrics.map((metric, i) => ({ metric, labels: {}, timestampsMs: [nowMs], values: [Math.sin(seq + i) * 50 + 50] })),
  };
}

/** Runs `send` from `concurrency` workers for `seconds`; returns samples/s and latencies. */
async function drive(send) {
  const latencies = [];
  let samples = 0;
  let errors = 0;
  const next = Array.from({ length: agents }, () => 1);
  let cursor = 0;
  const deadline = Date.now() + seconds * 1000;
  async function worker() {
    while (Date.now() < deadline) {
      const agent = cursor++ % agents;
      const seq = next[agent]++;
      const t0 = performance.now();
      try {
        samples += await send(agent, seq, Date.now());
        latencies.push(performance.now() - t0);
      } catch (err) {
        errors += 1;
        if (errors < 5) console.error(`  send failed: ${err.message}`);
      }
    }
  }
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedS = (performance.now() - started) / 1000;
  return { samplesPerSecond: samples / elapsedS, p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors };
}

async function hostpulseRun(run) {
  const dir = tempDir('ingest');
  const dbName = `hostpulse_bench_${process.pid}_${run}`;
  const admin = new pg.Client(adminUrl);
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const port = await freePort();
  const config = join(dir, 'collector.yaml');
  writeFileSync(config, `listen: 127.0.0.1:${port}\ndata_dir: ${dir}\ndatabase: { url: "postgres://postgres@127.0.0.1:5432/${dbName}", pool_max: 10 }\nlog_level: warn\n`);
  runNode([collectorBin, 'migrate', '--config', config]);
  const token = /hp_[A-Za-z0-9_-]+/.exec(runNode([collectorBin, 'token', 'create', '--agent', 'bench', '--config', config]))[0];
  const collector = start(process.execPath, [collectorBin, '--config', config], join(dir, 'collector.log'));
  const url = `http://127.0.0.1:${port}`;
  await waitHttp(`${url}/readyz`);
  const client = new Pool(url, { connections: concurrency, pipelining: 1 });
  const cpu0 = cpuSeconds(collector.pid);
  const t0 = Date.now();
  const result = await drive(async (agent, seq, nowMs) => {
    const body = gzipSync(encodeBatch(batchFor(agent, seq, nowMs)));
    const answer = await client.request({
      path: '/api/v1/ingest',
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' },
      body,
    });
    const ack = await answer.body.json();
    if (answer.statusCode !== 200) throw new Error(`HTTP ${answer.statusCode}: ${JSON.stringify(ack)}`);
    return ack.acceptedSamples;
  });
  result.collectorCpuPercent = ((cpuSeconds(collector.pid) - cpu0) / ((Date.now() - t0) / 1000)) * 100;
  result.collectorRssMiB = residentBytes(collector.pid) / 2 ** 20;
  await client.close();
  await stop(collector);
  const stored = await admin.query(`SELECT 1`).then(async () => {
    const db = new pg.Client(`postgres://postgres@127.0.0.1:5432/${dbName}`);
    await db.connect();
    const { rows } = await db.query('SELECT count(*)::bigint AS n FROM samples');
    await db.end();
    return Number(rows[0].n);
  });
  result.storedSamples = stored;
  await admin.query(`DROP DATABASE ${dbName} WITH (FORCE)`);
  await admin.end();
  return result;
}

async function victoriaRun() {
  const dir = tempDir('vm');
  const port = await freePort();
  const vm = start('/usr/bin/victoria-metrics', [`-httpListenAddr=127.0.0.1:${port}`, `-storageDataPath=${dir}`, '-loggerLevel=ERROR'], join(dir, 'vm.log'));
  const url = `http://127.0.0.1:${port}`;
  await waitHttp(`${url}/health`);
  const client = new Pool(url, { connections: concurrency, pipelining: 1 });
  const result = await drive(async (agent, seq, nowMs) => {
    const lines = metrics
      .map((metric, i) => JSON.stringify({ metric: { __name__: metric, host: `bench-${agent}` }, values: [Math.sin(seq + i) * 50 + 50], timestamps: [nowMs] }))
      .join('\n');
    const answer = await client.request({ path: '/api/v1/import', method: 'POST', body: gzipSync(lines), headers: { 'content-encoding': 'gzip' } });
    await answer.body.dump();
    if (answer.statusCode !== 204) throw new Error(`HTTP ${answer.statusCode}`);
    return SERIES;
  });
  await client.close();
  await stop(vm);
  return result;
}

const fmt = (r) =>
  `${Math.round(r.samplesPerSecond).toLocaleString('en')} samples/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, errors ${r.errors}` +
  (r.collectorCpuPercent !== undefined ? `, collector CPU ${r.collectorCpuPercent.toFixed(0)} %, RSS ${r.collectorRssMiB.toFixed(0)} MiB, stored ${r.storedSamples}` : '');

console.log(`ingest: ${agents} synthetic agents × ${SERIES} series, ${concurrency} requests in flight, ${runs} runs of ${seconds} s`);
const ours = [];
const theirs = [];
for (let run = 1; run <= runs; run += 1) {
  const r = await hostpulseRun(run);
  ours.push(r);
  console.log(`  run ${run} hostpulse → PostgreSQL: ${fmt(r)}`);
  if (existsSync('/usr/bin/victoria-metrics')) {
    const v = await victoriaRun();
    theirs.push(v);
    console.log(`  run ${run} victoria-metrics:        ${fmt(v)}`);
  }
  await sleep(1000);
}
const m = (list, key) => median(list.map((r) => r[key]));
console.log('\nmedian of runs:');
console.log(`  hostpulse → PostgreSQL  ${Math.round(m(ours, 'samplesPerSecond')).toLocaleString('en')} samples/s, p50 ${m(ours, 'p50').toFixed(1)} ms, p99 ${m(ours, 'p99').toFixed(1)} ms`);
if (theirs.length) {
  console.log(`  victoria-metrics        ${Math.round(m(theirs, 'samplesPerSecond')).toLocaleString('en')} samples/s, p50 ${m(theirs, 'p50').toFixed(1)} ms, p99 ${m(theirs, 'p99').toFixed(1)} ms`);
  console.log(`  ratio hostpulse / victoria-metrics: ${(m(ours, 'samplesPerSecond') / m(theirs, 'samplesPerSecond')).toFixed(2)}`);
} else {
  console.log('  victoria-metrics is missing (apt-get install victoria-metrics): no peer figures');
}
