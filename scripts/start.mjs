#!/usr/bin/env node
// `npm start`: the whole product on this machine in one command. Installs dependencies when
// they are missing, builds, then runs a collector on its embedded SQLite store and an agent
// sampling this host, both under .hostpulse/ in the checkout, and prints where to look.
// Ctrl-C stops both (the agent says goodbye, so the host shows as stopped, not down).
// The children run in process groups of their own: a terminal's Ctrl-C reaches only this script,
// which stops the agent first and the collector after it. One run per checkout: a second one
// would share the agent's buffer and the collector's database.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePortSetting } from './port-setting.mjs';
import { unitNodeFlags } from './unit-flags.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const home = join(root, '.hostpulse');
const node = process.execPath;
const collectorBin = join(root, 'collector', 'bin', 'hostpulse-collector.js');
const agentBin = join(root, 'agent', 'bin', 'hostpulse-agent.js');

function step(text) {
  process.stdout.write(`==> ${text}\n`);
}

function run(command, args, what) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`${what} failed (exit ${result.status}); see the output above.\n`);
    process.exit(1);
  }
}

function capture(args, what) {
  const result = spawnSync(node, args, { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) {
    process.stderr.write(`${what} failed (exit ${result.status}):\n${result.stdout}${result.stderr}\n`);
    process.exit(1);
  }
  return result.stdout;
}

function freePort(preferred) {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => {
      const any = createServer();
      any.listen(0, '127.0.0.1', () => {
        const { port } = any.address();
        any.close(() => resolve(port));
      });
    });
    probe.listen(preferred, '127.0.0.1', () => probe.close(() => resolve(preferred)));
  });
}

function token(file, args, what) {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const match = /hp_[A-Za-z0-9_-]+/.exec(capture([collectorBin, ...args], what));
  if (!match) {
    process.stderr.write(`${what}: no token in the output of hostpulse-collector ${args.join(' ')}\n`);
    process.exit(1);
  }
  writeFileSync(file, `${match[0]}\n`, { mode: 0o600 });
  return match[0];
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

function takeRunLock(file) {
  const held = existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : 0;
  if (held > 0 && held !== process.pid && isAlive(held)) {
    process.stderr.write(
      `hostpulse is already running from this checkout (npm start, pid ${held}); ` +
        `stop it with Ctrl-C in its terminal or \`kill ${held}\`, then try again.\n`,
    );
    process.exit(1);
  }
  writeFileSync(file, `${process.pid}\n`);
  process.on('exit', () => {
    if (existsSync(file) && readFileSync(file, 'utf8').trim() === String(process.pid)) {
      rmSync(file, { force: true });
    }
  });
}

/**
 * A saved token the running collector refuses (revoked with `token revoke`) is replaced by a
 * new one of the same name, so a restart repairs it instead of an agent logging 401s.
 */
async function renewRefusedToken(file, kindArgs, kind) {
  const answer = await fetch(`${url}/api/v1/ping`, {
    headers: { authorization: `Bearer ${readFileSync(file, 'utf8').trim()}` },
  });
  if (answer.status !== 401) return;
  step(`the saved ${kind} token was refused (revoked?); making a new one`);
  rmSync(file, { force: true });
  token(file, ['token', 'create', ...kindArgs, '--config', collectorConfig], `creating the ${kind} token`);
}

/** 'ready', 'exited' (the collector stopped first) or 'late' (not ready within 30 s). */
async function waitReady(url, child) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return 'exited';
    try {
      // Bounded: something else holding the port may accept the connection and never answer.
      const answer = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) });
      if (answer.ok) return 'ready';
    } catch {
      // Not listening yet: the loop is the retry, and the deadline bounds it.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return child.exitCode !== null ? 'exited' : 'late';
}

/** HOSTPULSE_PORT, checked before anything is installed or written; empty counts as unset. */
function chosenPort() {
  try {
    return parsePortSetting(process.env.HOSTPULSE_PORT);
  } catch (err) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
}

const wantedPort = chosenPort();
mkdirSync(home, { recursive: true });
takeRunLock(join(home, 'start.pid'));
if (!existsSync(join(root, 'node_modules', 'better-sqlite3'))) {
  step('installing dependencies (npm ci; better-sqlite3 compiles from source, about 2 minutes)');
  run('npm', ['ci', '--no-audit', '--no-fund'], 'npm ci');
}
step('building (tsc -b)');
run('npm', ['run', 'build', '--silent'], 'the build');

const port = wantedPort ?? (await freePort(8080));
const url = `http://127.0.0.1:${port}`;
const collectorConfig = join(home, 'collector.yaml');
const agentConfig = join(home, 'agent.yaml');
const { Document, parseDocument } = await import('yaml');

/**
 * Sets the keys npm start owns and keeps everything else the operator wrote (rules, notifiers,
 * checks, backups, comments): a restart must not throw away their configuration.
 */
function writeOwnedKeys(file, header, owned) {
  const doc = existsSync(file) ? parseDocument(readFileSync(file, 'utf8')) : new Document({});
  if (doc.errors.length > 0) {
    process.stderr.write(`${file} is not valid YAML (${doc.errors[0].message}); fix or delete it\n`);
    process.exit(1);
  }
  if (!existsSync(file)) doc.commentBefore = header;
  for (const [path, value] of owned) doc.setIn(path, value);
  writeFileSync(file, doc.toString());
}

const owns = 'written by npm start; edit freely: npm start rewrites only';
writeOwnedKeys(collectorConfig, ` ${owns} listen: and data_dir:`, [
  [['listen'], `127.0.0.1:${port}`],
  [['data_dir'], join(home, 'data')],
]);
mkdirSync(join(home, 'data'), { recursive: true });

// Tokens live in the database; a fresh database makes the saved token files worthless.
if (!existsSync(join(home, 'data', 'hostpulse.db'))) {
  rmSync(join(home, 'agent.token'), { force: true });
  rmSync(join(home, 'api.token'), { force: true });
}
step('migrating the embedded database');
capture([collectorBin, 'migrate', '--config', collectorConfig], 'migrate');
token(join(home, 'agent.token'), ['token', 'create', '--agent', 'local-agent', '--config', collectorConfig], 'creating the agent token');
token(join(home, 'api.token'), ['token', 'create', '--api', 'local-admin', '--role', 'admin', '--config', collectorConfig], 'creating the API token');
const agentIsNew = !existsSync(agentConfig);
writeOwnedKeys(agentConfig, ` ${owns} collector.url, collector.token_file, buffer.path`, [
  [['collector', 'url'], url],
  [['collector', 'token_file'], join(home, 'agent.token')],
  [['buffer', 'path'], join(home, 'agent.db')],
  ...(agentIsNew ? [[['interval'], '5s']] : []),
]);

// The agent's configuration is checked before anything starts, so a typo in agent.yaml stops
// here with the agent's own message instead of after a banner saying all is running.
const checked = capture([agentBin, '--check-config', '--config', agentConfig], 'checking .hostpulse/agent.yaml');
const intervalMs = JSON.parse(checked.slice(checked.indexOf('{'))).intervalMs;

step(`starting the collector on ${url} (log: .hostpulse/collector.log)`);
const collector = spawn(node, [...unitNodeFlags('collector'), collectorBin, '--config', collectorConfig], {
  cwd: root,
  detached: true,
  stdio: ['ignore', openSync(join(home, 'collector.log'), 'a'), openSync(join(home, 'collector.log'), 'a')],
});
const readiness = await waitReady(url, collector);
if (readiness !== 'ready') {
  const what = readiness === 'exited'
    ? `the collector exited (code ${collector.exitCode}) before it was ready; a port already taken is the usual cause ` +
      '(set HOSTPULSE_PORT to another, or unset it to pick a free one)'
    : 'the collector did not become ready within 30 s';
  process.stderr.write(`${what}; read .hostpulse/collector.log\n`);
  collector.kill('SIGTERM');
  process.exit(1);
}
await renewRefusedToken(join(home, 'agent.token'), ['--agent', 'local-agent'], 'agent');
await renewRefusedToken(join(home, 'api.token'), ['--api', 'local-admin', '--role', 'admin'], 'API');
step('starting the agent on this host (log: .hostpulse/agent.log)');
const agent = spawn(node, [agentBin, '--config', agentConfig], {
  cwd: root,
  detached: true,
  stdio: ['ignore', openSync(join(home, 'agent.log'), 'a'), openSync(join(home, 'agent.log'), 'a')],
});

// An agent that cannot start (its buffer locked by another agent, a token file it cannot read)
// exits within a second: say so instead of printing that everything runs.
await new Promise((r) => setTimeout(r, 1_500));
if (agent.exitCode !== null) {
  process.stderr.write(`the agent exited with ${agent.exitCode} at start; read .hostpulse/agent.log\n`);
  collector.kill('SIGTERM');
  process.exit(1);
}

const host = (await import('node:os')).hostname();
process.stdout.write(`
hostpulse is running.
  dashboard  ${url}/   (sign in with the token in .hostpulse/api.token)
  collector  ${url}   (embedded SQLite in .hostpulse/data)
  agent      sampling ${host} every ${intervalMs / 1000} s, buffer .hostpulse/agent.db
  API token  .hostpulse/api.token

Try, in another terminal (points appear within about 15 s):
  curl -s -H "Authorization: Bearer $(cat .hostpulse/api.token)" '${url}/api/v1/hosts'
  curl -s -H "Authorization: Bearer $(cat .hostpulse/api.token)" '${url}/api/v1/query?metric=cpu_usage_percent&host=${host}'
  node agent/bin/hostpulse-agent.js --once --config .hostpulse/agent.yaml

Ctrl-C stops both.
`);

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  step('stopping the agent, then the collector');
  agent.kill('SIGTERM');
  agent.once('exit', () => collector.kill('SIGTERM'));
  if (agent.exitCode !== null) collector.kill('SIGTERM');
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
process.on('SIGHUP', stop);
// `kill <npm pid>` ends npm without a word to this script: when our parent is gone, stop too,
// so no collector or agent is left running without anyone to stop it.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) stop();
}, 1000).unref();
agent.on('exit', (code) => {
  if (!stopping) process.stderr.write(`the agent exited with ${code}; read .hostpulse/agent.log\n`);
});
collector.on('exit', (code) => {
  if (!stopping) process.stderr.write(`the collector exited with ${code}; read .hostpulse/collector.log\n`);
  agent.kill('SIGTERM');
  process.exitCode = stopping ? 0 : 1;
  process.exit();
});
