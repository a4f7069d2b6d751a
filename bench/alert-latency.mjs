// Alert latency: from the ingest POST of a batch whose value crosses a rule with no `for`, to a
// Slack stand-in receiving the message; p50 and p99 over --trials. In the same run the same
// condition through Debian's prometheus (scraping a tiny exporter served here) and
// prometheus-alertmanager posting to the same stand-in, with their common defaults: scrape and
// evaluation every 15 s, group_wait 30 s. Each trial uses a new host, so each is a new alert
// (and a new Alertmanager group); hostpulse trials are --gap-ms apart so that each is a lone
// alert, not part of the previous one's 2 s grouping window.
//   node bench/alert-latency.mjs [--trials 100] [--peer-trials 5] [--gap-ms 2500]
import { createServer } from 'node:http';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeBatch } from '../shared/dist/index.js';
import { arg, freePort, percentile, sleep, start, startEmbeddedCollector, stop, tempDir, waitHttp } from './lib.mjs';

const trials = Number(arg('trials', '100'));
const peerTrials = Number(arg('peer-trials', '5'));
const gapMs = Number(arg('gap-ms', '2500'));
const PROMETHEUS = '/usr/bin/prometheus';
const ALERTMANAGER = '/usr/bin/prometheus-alertmanager';

/** The Slack stand-in: resolves the waiter whose host name appears in a message. */
async function startSlack() {
  const waiting = new Map();
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      const text = Buffer.concat(chunks).toString('utf8');
      for (const [host, done] of waiting) {
        if (text.includes(`${host} `) || text.includes(`${host}"`) || text.includes(`${host}\\n`)) {
          waiting.delete(host);
          done(at);
        }
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  const port = await freePort();
  await new Promise((done) => server.listen(port, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${port}/services/T000/B000/bench`,
    /** Resolves with the arrival time (performance.now) of the first message naming `host`. */
    waitFor: (host) => new Promise((done) => waiting.set(host, done)),
    close: () => new Promise((done) => server.close(done)),
  };
}

function summary(name, latencies) {
  const p50 = percentile(latencies, 50);
  const p99 = percentile(latencies, 99);
  console.log(`  ${name}: ${latencies.length} trials, p50 ${fmt(p50)}, p99 ${fmt(p99)}`);
  return { p50, p99 };
}

function fmt(ms) {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
}

async function benchHostpulse(slack, dir) {
  const collector = await startEmbeddedCollector(
    dir,
    `notifiers:
  - { name: bench-slack, type: slack, webhook_url: "${slack.url}" }
rules:
  - name: bench-high
    metric: bench_value
    thresholds: [{ severity: critical, above: 50 }]
    notify: [bench-slack]
`,
  );
  const latencies = [];
  try {
    for (let i = 0; i < trials; i++) {
      const host = `hp-trial-${i}`;
      const now = Date.now();
      const body = encodeBatch({
        agentId: `bench-${i}`,
        hostName: host,
        agentVersion: 'bench',
        incarnation: 'bench',
        seq: 1,
        sentAtMs: now,
        intervalMs: 10_000,
        series: [{ metric: 'bench_value', labels: {}, timestampsMs: [now], values: [99] }],
      });
      const arrived = slack.waitFor(host);
      const t0 = performance.now();
      const answer = await fetch(`${collector.url}/api/v1/ingest`, {
        method: 'POST',
        headers: { authorization: `Bearer ${collector.token}`, 'content-type': 'application/x-protobuf' },
        body,
      });
      if (answer.status !== 200) throw new Error(`ingest answered ${answer.status}`);
      latencies.push((await arrived) - t0);
      await sleep(gapMs);
    }
  } finally {
    await stop(collector.child);
  }
  return latencies;
}

/** The exporter: one gauge per trial host, 0 until the trial sets it to 99. */
async function startExporter() {
  const values = new Map();
  const server = createServer((req, res) => {
    const lines = ['# TYPE bench_value gauge'];
    for (const [host, value] of values) lines.push(`bench_value{host="${host}"} ${value}`);
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(`${lines.join('\n')}\n`);
  });
  const port = await freePort();
  await new Promise((done) => server.listen(port, '127.0.0.1', done));
  return { port, values, close: () => new Promise((done) => server.close(done)) };
}

async function benchPeer(slack, dir) {
  const exporter = await startExporter();
  const [promPort, amPort] = [await freePort(), await freePort()];
  writeFileSync(
    join(dir, 'alertmanager.yml'),
    `route:
  receiver: slack
  group_by: [host]
  group_wait: 30s
receivers:
  - name: slack
    slack_configs:
      - api_url: "${slack.url}"
        channel: "#bench"
`,
  );
  writeFileSync(join(dir, 'rules.yml'), `groups:
  - name: bench
    rules:
      - alert: BenchHigh
        expr: bench_value > 50
`);
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global: { scrape_interval: 15s, evaluation_interval: 15s }
rule_files: ["${join(dir, 'rules.yml')}"]
alerting:
  alertmanagers: [{ static_configs: [{ targets: ["127.0.0.1:${amPort}"] }] }]
scrape_configs:
  - job_name: bench
    static_configs: [{ targets: ["127.0.0.1:${exporter.port}"] }]
`,
  );
  const am = start(ALERTMANAGER, [
    `--config.file=${join(dir, 'alertmanager.yml')}`,
    `--storage.path=${join(dir, 'am-data')}`,
    `--web.listen-address=127.0.0.1:${amPort}`,
    '--cluster.listen-address=',
  ], join(dir, 'alertmanager.log'));
  const prom = start(PROMETHEUS, [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'prom-data')}`,
    `--web.listen-address=127.0.0.1:${promPort}`,
  ], join(dir, 'prometheus.log'));
  try {
    await waitHttp(`http://127.0.0.1:${amPort}/-/ready`);
    await waitHttp(`http://127.0.0.1:${promPort}/-/ready`);
    // Trials start once the target has been scraped, so start-up is not counted.
    const up = `http://127.0.0.1:${promPort}/api/v1/query?query=up`;
    for (;;) {
      const result = (await (await fetch(up)).json()).data?.result ?? [];
      if (result.some((r) => r.value?.[1] === '1')) break;
      await sleep(500);
    }
    // Trials overlap, 7 s apart: each is its own group, so they do not wait on each other.
    const runs = Array.from({ length: peerTrials }, async (_, i) => {
      await sleep(i * 7_000);
      const host = `peer-trial-${i}`;
      const arrived = slack.waitFor(host);
      const t0 = performance.now();
      exporter.values.set(host, 99);
      return (await arrived) - t0;
    });
    return await Promise.all(runs);
  } finally {
    await stop(prom);
    await stop(am);
    await exporter.close();
  }
}

const dir = tempDir('alert-latency');
const slack = await startSlack();
try {
  console.log(`alert latency: ingest POST (or exporter change) → Slack stand-in`);
  const ours = summary('hostpulse (embedded storage)', await benchHostpulse(slack, dir));
  if (existsSync(PROMETHEUS) && existsSync(ALERTMANAGER)) {
    const theirs = summary('prometheus + alertmanager', await benchPeer(slack, dir));
    console.log(`  ratio prometheus+alertmanager / hostpulse: p50 ${(theirs.p50 / ours.p50).toFixed(0)}×`);
  } else {
    console.log('  prometheus or prometheus-alertmanager missing (apt-get install them): no peer');
  }
} finally {
  await slack.close();
  rmSync(dir, { recursive: true, force: true });
}
