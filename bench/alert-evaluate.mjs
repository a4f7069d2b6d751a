// Alert evaluation cost: batches of 60 series from many hosts observed by alerting with 10
// rules, 5 % of hosts breaching (so state changes are written), on the embedded SQLite store.
// Prints figures; never passes or fails on them. Needs a build (npx tsc -b).
//
//   node bench/alert-evaluate.mjs [--hosts 1000] [--cycles 20] [--runs 3]
//
// Peer, in the same run: the same batches observed with no rules, i.e. what alerting costs a
// batch whose metrics no rule watches (one map lookup per series).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { silentLogger } from '@hostpulse/shared';
import { openStorage } from '../collector/dist/storage/open-storage.js';
import { createAlertStore } from '../collector/dist/alerting/store/open-alert-store.js';
import { createAlerting } from '../collector/dist/alerting/create-alerting.js';

const { values: flags } = parseArgs({
  options: {
    hosts: { type: 'string', default: '1000' },
    cycles: { type: 'string', default: '20' },
    runs: { type: 'string', default: '3' },
  },
});
const HOSTS = Number(flags.hosts);
const CYCLES = Number(flags.cycles);
const RUNS = Number(flags.runs);
const METRICS = Array.from({ length: 60 }, (_, i) => (i === 0 ? 'cpu_usage_percent' : `m_${i}`));

const rules = METRICS.slice(0, 10).map((metric, i) => ({
  name: `rule-${i}`,
  metric,
  match: {},
  thresholds: [
    { severity: 'high', above: 80, forMs: 20_000 },
    { severity: 'critical', above: 95, forMs: 0 },
  ],
  clear: { below: 70 },
  notify: [],
}));

function batch(host, cycle, t) {
  const breaching = host % 20 === 0;
  return {
    agentId: `agent-${host}`,
    incarnation: 'i',
    seq: cycle,
    hostName: `web-${host}`,
    agentVersion: 'bench',
    hostLabels: { env: 'prod' },
    intervalMs: 10_000,
    receivedMs: t,
    clockSkewMs: 0,
    stopping: false,
    series: METRICS.map((metric) => ({
      metric,
      labels: { env: 'prod' },
      timestampsMs: [t],
      values: [breaching ? 90 + (cycle % 8) : 30 + (cycle % 5)],
    })),
    events: [],
    gaps: [],
  };
}

async function measure(withRules) {
  const dir = mkdtempSync(join(tmpdir(), 'hostpulse-bench-alerts-'));
  const log = silentLogger();
  const storage = await openStorage({ dataDir: dir, poolMax: 1, log });
  await storage.migrate();
  let clock = Date.now();
  const alerting = createAlerting({
    rules: withRules ? rules : [],
    notifiers: new Map(),
    store: createAlertStore(storage),
    log,
    now: () => clock,
    tickMs: 0,
  });
  await alerting.idle();
  const started = process.hrtime.bigint();
  for (let cycle = 1; cycle <= CYCLES; cycle++) {
    clock += 10_000;
    for (let host = 0; host < HOSTS; host++) alerting.observe(batch(host, cycle, clock));
    await alerting.tick();
  }
  await alerting.idle();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const open = alerting.openAlerts().length;
  await alerting.stop();
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
  return { batchesPerSecond: (HOSTS * CYCLES) / seconds, open };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const withRules = [];
const without = [];
let open = 0;
for (let run = 0; run < RUNS; run++) {
  const measured = await measure(true);
  withRules.push(measured.batchesPerSecond);
  open = measured.open;
  without.push((await measure(false)).batchesPerSecond);
}
const fmt = (n) => Math.round(n).toLocaleString('en-US');
console.log(`hosts ${HOSTS}, cycles ${CYCLES}, 60 series a batch, runs ${RUNS} (medians)`);
console.log(`10 rules:  ${fmt(median(withRules))} batches/s (${open} alerts open at the end)`);
console.log(`no rules:  ${fmt(median(without))} batches/s`);
console.log(`a fleet of ${fmt(HOSTS)} hosts every 10 s needs ${fmt(HOSTS / 10)} batches/s`);
