// Agent footprint: CPU (% of one core) and resident memory (median of one reading per interval)
// of the real agent process with every sampler on, beside Debian's prometheus-node-exporter
// scraped at the same cadence in the same run, so a busy machine shows in both figures.
//   node bench/agent-footprint.mjs [--minutes 10] [--interval 10] [--runs 1]
// When this build's agent.yaml accepts `backups:` and `checks:`, three backups and six checks
// are added (see extraBlock); until then the agent runs without them and says so.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  agentBin, arg, cpuSeconds, freePort, median, repo, residentBytes, sleep, start,
  startEmbeddedCollector, stop, tempDir, waitHttp,
} from './lib.mjs';
import { unitEnvironment, unitNodeFlags } from '../scripts/unit-flags.mjs';

const minutes = Number(arg('minutes', '10'));
const intervalS = Number(arg('interval', '10'));
const runs = Number(arg('runs', '1'));
const exporterBin = '/usr/bin/prometheus-node-exporter';
// The agent runs with the node flags and environment the systemd unit gives it, so the figures
// are those of an installed agent; --node-args '...' replaces the flags to try others.
const nodeArgs = arg('node-args', unitNodeFlags('agent').join(' ')).split(' ').filter(Boolean);
const unitEnv = unitEnvironment('agent');

const { samplers } = await import(join(repo, 'agent', 'dist', 'samplers', 'index.js'));

/** An SMTP server (the smtp-server package) on 127.0.0.1 for the smtp check; it takes no mail. */
async function startSmtpServer() {
  const { SMTPServer } = await import('smtp-server');
  const port = await freePort();
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'], logger: false,
    onData: (stream, _session, done) => stream.resume().on('end', () => done()),
  });
  server.on('error', () => {});
  await new Promise((done) => server.listen(port, '127.0.0.1', done));
  return { port, close: () => new Promise((done) => server.close(done)) };
}

// ---- backups and checks: enabled only when this agent build validates these keys ----------
/** Three backup folders of three files each: gzip-verified, sha256-verified and unverified. */
function makeBackups(dir) {
  const folders = {};
  for (const name of ['db', 'files', 'etc']) {
    folders[name] = join(dir, 'backups', name);
    mkdirSync(folders[name], { recursive: true });
    for (let day = 1; day <= 3; day += 1) {
      const file = join(folders[name], `${name}-${day}.gz`);
      writeFileSync(file, gzipSync(randomBytes(256 * 1024)));
      const digest = createHash('sha256').update(readFileSync(file)).digest('hex');
      if (name === 'files') writeFileSync(`${file}.sha256`, `${digest}  ${name}-${day}.gz\n`);
    }
  }
  return folders;
}

function extraBlock(dir, collectorUrl, smtpPort) {
  const b = makeBackups(dir);
  mkdirSync(join(dir, 'data'), { recursive: true });
  const { port } = new URL(collectorUrl);
  const everyMinute = 'verify_schedule: "* * * * *"';
  return [
    'backups:',
    `  - { name: db, path: "${b.db}/db-*.gz", max_age: 26h, min_size: 1KiB, verify: gzip,`,
    `      ${everyMinute} }`,
    `  - { name: files, path: "${b.files}/files-*.gz", max_age: 26h, verify: sha256,`,
    `      ${everyMinute} }`,
    `  - { name: etc, path: "${b.etc}/etc-*.gz", max_age: 26h, verify: none }`,
    'checks:',
    `  - { name: api, type: http, url: "${collectorUrl}/healthz", expect_status: 200, timeout: 2s }`,
    '  - { name: db, type: postgres, url: "postgres://postgres@127.0.0.1:5432/test" }',
    '  - { name: cache, type: redis, url: "redis://127.0.0.1:6379" }',
    `  - { name: mail, type: smtp, host: 127.0.0.1, port: ${smtpPort} }`,
    `  - { name: collector-port, type: tcp, host: 127.0.0.1, port: ${port} }`,
    `  - { name: data, type: storage, path: "${join(dir, 'data')}" }`,
    '',
  ].join('\n');
}
// ---------------------------------------------------------------------------------------------

function agentConfig(dir, collector) {
  const every = samplers.map((s) => `  ${s.name}: { enabled: true }`).join('\n');
  return [
    `collector: { url: "${collector.url}", token: "${collector.token}" }`,
    `interval: ${intervalS}s`,
    `buffer: { path: ${join(dir, 'agent.db')} }`,
    'samplers:',
    every,
    '',
  ].join('\n');
}

/** The config with backups and checks when the agent accepts them, else without. */
function writeAgentConfig(dir, collector, smtpPort) {
  const file = join(dir, 'agent.yaml');
  const base = agentConfig(dir, collector);
  writeFileSync(file, base + extraBlock(dir, collector.url, smtpPort));
  const check = spawnSync(process.execPath, [agentBin, '--check-config', '-c', file], { encoding: 'utf8' });
  if (check.status === 0) return { file, extras: true };
  writeFileSync(file, base);
  return { file, extras: false, why: check.stderr.trim().split('\n')[0] };
}

async function oneRun(run) {
  const dir = tempDir('agent');
  const collector = await startEmbeddedCollector(dir);
  const smtp = await startSmtpServer();
  const config = writeAgentConfig(dir, collector, smtp.port);
  if (run === 1) {
    console.log(`samplers: ${samplers.map((s) => s.name).join(', ')}`);
    const flags = nodeArgs.join(' ') || '(none)';
    console.log(`agent node flags: ${flags}; unit environment: ${JSON.stringify(unitEnv)}`);
    console.log(config.extras ? 'with 3 backups and 6 checks' : `without backups and checks (${config.why})`);
  }
  const agentArgs = [...nodeArgs, agentBin, '--config', config.file];
  const agentEnv = { ...unitEnv, HOSTPULSE_LOG_LEVEL: 'warn' };
  const agent = start(process.execPath, agentArgs, join(dir, 'agent.log'), agentEnv);

  let exporter;
  let exporterUrl;
  if (existsSync(exporterBin)) {
    const port = await freePort();
    exporterUrl = `http://127.0.0.1:${port}/metrics`;
    exporter = start(exporterBin, [`--web.listen-address=127.0.0.1:${port}`], join(dir, 'node-exporter.log'));
    await waitHttp(exporterUrl);
  }
  // Let both start up before measuring: start-up costs are not steady-state costs.
  await sleep(Math.min(15, 2 * intervalS) * 1000);
  const agentCpu0 = cpuSeconds(agent.pid);
  const exporterCpu0 = exporter ? cpuSeconds(exporter.pid) : 0;
  const agentRss = [];
  const exporterRss = [];
  const started = Date.now();
  while (Date.now() - started < minutes * 60_000) {
    if (exporter) await (await fetch(exporterUrl)).text();
    await sleep(intervalS * 1000);
    agentRss.push(residentBytes(agent.pid));
    if (exporter) exporterRss.push(residentBytes(exporter.pid));
  }
  const elapsedS = (Date.now() - started) / 1000;
  const result = {
    agentCpuPercent: ((cpuSeconds(agent.pid) - agentCpu0) / elapsedS) * 100,
    agentRssMiB: median(agentRss) / 2 ** 20,
    exporterCpuPercent: exporter ? ((cpuSeconds(exporter.pid) - exporterCpu0) / elapsedS) * 100 : NaN,
    exporterRssMiB: exporter ? median(exporterRss) / 2 ** 20 : NaN,
  };
  await stop(agent);
  if (exporter) await stop(exporter);
  await stop(collector.child);
  await smtp.close();
  const rounded = Object.entries(result).map(([k, v]) => [k, Number(v.toFixed(3))]);
  console.log(`run ${run}: ${JSON.stringify(Object.fromEntries(rounded))}`);
  return result;
}

console.log(`agent footprint: ${runs} run(s) of ${minutes} min at a ${intervalS} s interval (node_exporter scraped as often)`);
if (!existsSync(exporterBin)) console.log('prometheus-node-exporter is missing (apt-get install prometheus-node-exporter): no peer figures');
const results = [];
for (let run = 1; run <= runs; run += 1) results.push(await oneRun(run));
const m = (key) => median(results.map((r) => r[key]));
console.log(`\nmedian of runs (CPU: % of one core over the run; RSS: median of one reading per interval):`);
console.log(`  agent          ${m('agentCpuPercent').toFixed(3)} % CPU, ${m('agentRssMiB').toFixed(1)} MiB RSS`);
console.log(`  node_exporter  ${m('exporterCpuPercent').toFixed(3)} % CPU, ${m('exporterRssMiB').toFixed(1)} MiB RSS`);
console.log(`  ratio agent / node_exporter: CPU ${(m('agentCpuPercent') / m('exporterCpuPercent')).toFixed(2)}, RSS ${(m('agentRssMiB') / m('exporterRssMiB')).toFixed(2)}`);
