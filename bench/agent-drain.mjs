// Backlog drain: how fast a real agent process sends a backlog its buffer built up while the
// collector was away (a 2-hour outage at a 10 s interval is 720 batches), beside the collector's
// own ceiling in the same run: the same stored batches posted back to back by a bare HTTP loop.
//   node bench/agent-drain.mjs [--backlog 720] [--interval 10] [--runs 3] [--postgres]
// Aim (issue 3): at least 50 times faster than real time, i.e. 720 batches within 144 s.
// --postgres stores into a throwaway database on the local PostgreSQL (127.0.0.1:5432) instead
// of the embedded one.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import pg from 'pg';
import { encodeBatch } from '../shared/dist/index.js';
import {
  agentBin, arg, collectorBin, freePort, median, repo, runNode, sleep, start, stop, tempDir, waitHttp,
} from './lib.mjs';

const backlog = Number(arg('backlog', '720'));
const intervalS = Number(arg('interval', '10'));
const runs = Number(arg('runs', '3'));
const usePostgres = process.argv.includes('--postgres');
const writeBacklog = join(repo, 'agent', 'test', 'helpers', 'write-backlog.mjs');
const adminUrl = 'postgres://postgres@127.0.0.1:5432/postgres';

/** A fresh collector (embedded, or on a new PostgreSQL database) in `dir`. */
async function startCollector(dir, name) {
  let database = '';
  let drop = async () => undefined;
  if (usePostgres) {
    const dbName = `hostpulse_bench_drain_${process.pid}_${name.replace(/-/g, '_')}`;
    const admin = new pg.Client(adminUrl);
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    database = `database: { url: "postgres://postgres@127.0.0.1:5432/${dbName}" }\n`;
    drop = async () => {
      const again = new pg.Client(adminUrl);
      await again.connect();
      await again.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await again.end();
    };
  }
  const port = await freePort();
  const config = join(dir, `${name}.yaml`);
  const dataDir = join(dir, name);
  mkdirSync(dataDir);
  writeFileSync(config, `listen: 127.0.0.1:${port}\ndata_dir: ${dataDir}\n${database}log_level: warn\n`);
  runNode([collectorBin, 'migrate', '--config', config]);
  const created = runNode([collectorBin, 'token', 'create', '--agent', 'bench', '--config', config]);
  const token = /hp_[A-Za-z0-9_-]+/.exec(created)[0];
  const child = start(process.execPath, [collectorBin, '--config', config], join(dir, `${name}.log`));
  const url = `http://127.0.0.1:${port}`;
  await waitHttp(`${url}/readyz`);
  return { url, token, stop: async () => (await stop(child), await drop()) };
}

/** Batches of the backlog still in the buffer file (read-only, beside the running agent). */
function leftInBuffer(path) {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT count(*) AS n FROM batches WHERE seq <= ?').get(backlog).n;
  } finally {
    db.close();
  }
}

async function agentDrain(dir, bufferPath) {
  const collector = await startCollector(dir, 'collector-agent');
  const config = join(dir, 'agent.yaml');
  const collectorLine = `collector: { url: "${collector.url}", token: "${collector.token}" }`;
  writeFileSync(config, `${collectorLine}\ninterval: ${intervalS}s\nhost: { id: drain-bench }\nbuffer: { path: ${bufferPath} }\n`);
  const started = performance.now();
  const agent = start(process.execPath, [agentBin, '--config', config], join(dir, 'agent.log'), { HOSTPULSE_LOG_LEVEL: 'warn' });
  while (leftInBuffer(bufferPath) > 0) await sleep(20);
  const seconds = (performance.now() - started) / 1000;
  await stop(agent);
  await collector.stop();
  return seconds;
}

/** The collector's ceiling: the stored batches posted one after the other, no agent involved. */
async function bareDrain(dir, bufferPath) {
  const collector = await startCollector(dir, 'collector-bare');
  const db = new Database(bufferPath, { readonly: true });
  const payloads = db.prepare('SELECT payload FROM batches ORDER BY seq').all().map((r) => r.payload);
  db.close();
  const started = performance.now();
  for (const payload of payloads) {
    const body = gzipSync(Buffer.concat([payload, encodeBatch({ sentAtMs: Date.now() })]));
    const answer = await fetch(`${collector.url}/api/v1/ingest`, {
      method: 'POST',
      headers: { authorization: `Bearer ${collector.token}`, 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' },
      body,
    });
    if (answer.status !== 200) throw new Error(`bare drain: HTTP ${answer.status} ${await answer.text()}`);
    await answer.arrayBuffer();
  }
  const seconds = (performance.now() - started) / 1000;
  await collector.stop();
  return seconds;
}

const agentTimes = [];
const bareTimes = [];
for (let run = 1; run <= runs; run += 1) {
  const dir = tempDir('drain');
  const bufferPath = join(dir, 'agent.db');
  runNode([writeBacklog, bufferPath, String(backlog), String(intervalS * 1000), 'drain-bench']);
  copyFileSync(bufferPath, join(dir, 'bare.db'));
  agentTimes.push(await agentDrain(dir, bufferPath));
  bareTimes.push(await bareDrain(dir, join(dir, 'bare.db')));
  console.log(`run ${run}: agent ${agentTimes.at(-1).toFixed(2)} s, bare loop ${bareTimes.at(-1).toFixed(2)} s`);
}

const agentS = median(agentTimes);
const bareS = median(bareTimes);
const coveredS = backlog * intervalS;
console.log(`storage: ${usePostgres ? 'PostgreSQL' : 'embedded SQLite'}; backlog ${backlog} batches covering ${coveredS} s`);
console.log(`agent drain, median of ${runs}: ${agentS.toFixed(2)} s = ${(backlog / agentS).toFixed(0)} batches/s, ${(coveredS / agentS).toFixed(0)}x real time (aim: 50x)`);
console.log(`bare HTTP loop, same batches: ${bareS.toFixed(2)} s = ${(backlog / bareS).toFixed(0)} batches/s`);
