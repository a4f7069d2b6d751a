#!/usr/bin/env node
// `npm start`: the whole product on this machine in one command. Installs dependencies when
// they are missing, builds, then runs a collector on its embedded SQLite store and an agent
// sampling this host, both under .hostpulse/ in the checkout, and prints where to look.
// Ctrl-C stops both (the agent says goodbye, so the host shows as stopped, not down).
// The children run in process groups of their own: a terminal's Ctrl-C reaches only this script,
// which stops the agent first and the collector after it. One run per checkout: a second one
// would share the agent's buffer and the collector's database.
// HOSTPULSE_START_DIR puts the files of .hostpulse/ in another folder; the tests use it so that
// they never touch, or wait for, a developer's own run.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Children } from './children.mjs';
import { firstFreePort } from './free-port.mjs';
import { parseLogLevelSetting } from './log-level-setting.mjs';
import { logEnd, withLogTail } from './log-tail.mjs';
import { parsePortSetting } from './port-setting.mjs';
import { StartError } from './start-error.mjs';
import { isRefused, readToken, renewToken, savedTokens } from './tokens.mjs';
import { unitNodeFlags } from './unit-flags.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const home = process.env.HOSTPULSE_START_DIR?.trim()
  ? resolve(process.env.HOSTPULSE_START_DIR.trim())
  : join(root, '.hostpulse');
const node = process.execPath;
const collectorBin = join(root, 'collector', 'bin', 'hostpulse-collector.js');
const agentBin = join(root, 'agent', 'bin', 'hostpulse-agent.js');
const collectorConfig = join(home, 'collector.yaml');
const agentConfig = join(home, 'agent.yaml');
const tokens = savedTokens(home);
const children = new Children();

/** A path as the user types it from the checkout (npm start runs there), else in full. */
function shown(file) {
  const inside = relative(root, file);
  return inside.startsWith('..') || isAbsolute(inside) ? file : inside;
}

function step(text) {
  process.stdout.write(`==> ${text}\n`);
}

function run(command, args, what) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    throw new StartError(`${what} failed (exit ${result.status}); see the output above.`);
  }
}

function collectorCli(args) {
  const argv = [collectorBin, ...args, '--config', collectorConfig];
  return spawnSync(node, argv, { cwd: root, encoding: 'utf8' });
}

function capture(args, what) {
  const result = spawnSync(node, args, { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) {
    const output = `${result.stdout}${result.stderr}`;
    throw new StartError(`${what} failed (exit ${result.status}):\n${output}`);
  }
  return result.stdout;
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
    throw new StartError(
      `hostpulse is already running from this checkout (npm start, pid ${held}); ` +
        `stop it with Ctrl-C in its terminal or \`kill ${held}\`, then try again.`,
    );
  }
  writeFileSync(file, `${process.pid}\n`);
  process.on('exit', () => {
    if (existsSync(file) && readFileSync(file, 'utf8').trim() === String(process.pid)) {
      rmSync(file, { force: true });
    }
  });
}

/** A token file that is missing or holds no valid token gets a new one before anything starts. */
function ensureTokens() {
  for (const token of [tokens.agent, tokens.api]) {
    if (readToken(token) !== undefined) continue;
    if (existsSync(token.file)) {
      step(`${shown(token.file)} holds no valid token; making a new ${token.kind} token`);
    }
    renewToken(token, collectorCli);
  }
}

/**
 * A saved token the running collector refuses (revoked with `token revoke`, or a file damaged
 * into another token) is replaced, so a restart repairs it instead of an agent logging 401s.
 */
async function renewRefusedTokens(url) {
  for (const token of [tokens.agent, tokens.api]) {
    if (!(await isRefused(token, url))) continue;
    step(`the saved ${token.kind} token was refused (revoked?); making a new one`);
    renewToken(token, collectorCli);
  }
}

/** 'ready', 'exited' (the collector stopped first) or 'late' (not ready within 30 s). */
async function waitReady(url, child) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return 'exited';
    // Bounded: something else holding the port may accept the connection and never answer.
    // A timer of our own, not AbortSignal.timeout(): that one does not keep node running, so
    // with the collector gone and a probe stuck, node ended the script with exit 13 (top-level
    // await never settled) before it could report anything.
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 2_000);
    try {
      const answer = await fetch(`${url}/readyz`, { signal: abort.signal });
      if (answer.ok) return 'ready';
    } catch {
      // Not listening yet: the loop is the retry, and the deadline bounds it.
    } finally {
      clearTimeout(timer);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return child.exitCode !== null ? 'exited' : 'late';
}

/**
 * HOSTPULSE_PORT and HOSTPULSE_LOG_LEVEL, checked before anything is installed or written, each
 * problem on a line of its own; blank counts as unset. A level pino does not know would kill
 * the agent at start, after the collector had started.
 */
function checkedSettings() {
  const problems = [];
  const read = (parse, raw) => {
    try {
      return parse(raw);
    } catch (err) {
      problems.push(err.message);
      return undefined;
    }
  };
  const port = read(parsePortSetting, process.env.HOSTPULSE_PORT);
  const logLevel = read(parseLogLevelSetting, process.env.HOSTPULSE_LOG_LEVEL);
  if (problems.length > 0) throw new StartError(problems.join('\n'), 2);
  return { port, logLevel };
}

/** Stops what was started, then exits; Ctrl-C or `kill` during the start come here too. */
async function stop() {
  if (children.stopping) return;
  step(`stopping ${children.describeStop()}`);
  await children.stopAll();
  process.exit(0);
}

/** The one way out of a failed start: the reason, then the children stopped, then the exit. */
async function giveUp(err) {
  // A stop is already under way (Ctrl-C during the start), and it exits when done.
  if (children.stopping) return;
  const isExpected = err instanceof StartError;
  const reason = isExpected ? err.message : `npm start failed: ${err?.stack ?? err}`;
  process.stderr.write(`${reason}\n`);
  await children.stopAll();
  process.exit(isExpected ? err.exitCode : 1);
}

/** Both files are read and checked before either is written or anything is migrated. */
async function writeConfigs(url, port) {
  // Only after `npm ci`: it needs the yaml package.
  const { withOwnedKeys } = await import('./owned-keys.mjs');
  const owns = ' written by npm start; edit freely: npm start rewrites only';
  const agentIsNew = !existsSync(agentConfig);
  const agentHeader = `${owns} collector.url, collector.token_file, buffer.path`;
  const files = [
    withOwnedKeys(collectorConfig, shown(collectorConfig), `${owns} listen: and data_dir:`, [
      [['listen'], `127.0.0.1:${port}`],
      [['data_dir'], join(home, 'data')],
    ]),
    withOwnedKeys(agentConfig, shown(agentConfig), agentHeader, [
      [['collector', 'url'], url],
      [['collector', 'token_file'], tokens.agent.file],
      [['buffer', 'path'], join(home, 'agent.db')],
      ...(agentIsNew ? [[['interval'], '5s']] : []),
    ]),
  ];
  for (const file of files) file.write();
}

/**
 * A child with its output appended to `logFile`. `why(what)`: the sentence saying it stopped
 * followed by the end of what it logged, so the user reads the reason without opening the file.
 */
function spawnChild(bin, args, logFile, { flags = [], env = process.env } = {}) {
  const offset = logEnd(logFile);
  const log = () => openSync(logFile, 'a');
  const stdio = ['ignore', log(), log()];
  const child = spawn(node, [...flags, bin, ...args], { cwd: root, detached: true, stdio, env });
  return { child, why: (what) => withLogTail(what, logFile, shown(logFile), offset) };
}

/** From the configuration files on to the banner; whatever it throws goes to giveUp(). */
async function start(url, port, logLevel) {
  await writeConfigs(url, port);
  mkdirSync(join(home, 'data'), { recursive: true });

  // Tokens live in the database; a fresh database makes the saved token files worthless.
  if (!existsSync(join(home, 'data', 'hostpulse.db'))) {
    rmSync(tokens.agent.file, { force: true });
    rmSync(tokens.api.file, { force: true });
  }
  step(`migrating the database (${shown(collectorConfig)}: embedded unless database.url is set)`);
  capture([collectorBin, 'migrate', '--config', collectorConfig], 'migrate');
  ensureTokens();

  // The agent's configuration is checked before anything starts, so a typo in agent.yaml stops
  // here with the agent's own message instead of after a banner saying all is running.
  const checkArgs = [agentBin, '--check-config', '--config', agentConfig];
  const checked = capture(checkArgs, `checking ${shown(agentConfig)}`);
  const intervalMs = JSON.parse(checked.slice(checked.indexOf('{'))).intervalMs;

  const collectorLog = join(home, 'collector.log');
  step(`starting the collector on ${url} (log: ${shown(collectorLog)})`);
  const collectorArgs = ['--config', collectorConfig];
  const flags = unitNodeFlags('collector');
  const collectorRun = spawnChild(collectorBin, collectorArgs, collectorLog, { flags });
  // Its grace is a little over the collector's own 25 s deadline for a clean stop.
  const collector = children.add('collector', collectorRun.child, 30_000);
  // From here on, Ctrl-C or `kill` must stop the collector too, even before the banner.
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('SIGHUP', stop);
  // `kill <npm pid>` ends npm without a word to this script: when our parent is gone, stop too,
  // so no collector or agent is left running without anyone to stop it.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) void stop();
  }, 1000).unref();

  const readiness = await waitReady(url, collector);
  if (readiness !== 'ready') {
    const what = readiness === 'exited'
      ? `the collector exited (code ${collector.exitCode}) before it was ready; ` +
        'a port already taken is the usual cause ' +
        '(set HOSTPULSE_PORT to another, or unset it to pick a free one)'
      : 'the collector did not become ready within 30 s';
    throw new StartError(collectorRun.why(what));
  }
  await renewRefusedTokens(url);
  if (children.stopping) return;

  const agentLog = join(home, 'agent.log');
  step(`starting the agent on this host (log: ${shown(agentLog)})`);
  // The checked level without its blanks, or none: the agent hands it to pino as it is.
  const agentEnv = { ...process.env, HOSTPULSE_LOG_LEVEL: logLevel };
  const agentRun = spawnChild(agentBin, ['--config', agentConfig], agentLog, { env: agentEnv });
  // Its grace is a little over the agent's own 4.5 s guard for a clean stop.
  const agent = children.add('agent', agentRun.child, 10_000);

  // An agent that cannot start (its buffer locked by another agent, a token file it cannot read)
  // exits within a second: say so instead of printing that everything runs.
  await new Promise((r) => setTimeout(r, 1_500));
  if (agent.exitCode !== null) {
    throw new StartError(agentRun.why(`the agent exited with ${agent.exitCode} at start`));
  }
  if (children.stopping) return;

  const host = (await import('node:os')).hostname();
  const apiToken = shown(tokens.api.file);
  process.stdout.write(`
hostpulse is running.
  dashboard  ${url}/   (sign in with the admin token in ${apiToken})
  collector  ${url}   (embedded SQLite in ${shown(join(home, 'data'))})
  agent      sampling ${host} every ${intervalMs / 1000} s, buffer ${shown(join(home, 'agent.db'))}
  API token  ${apiToken}   (role admin: keep it to yourself)

Try, in another terminal (points appear within about 15 s):
  curl -s -H "Authorization: Bearer $(cat ${apiToken})" '${url}/api/v1/hosts'
  curl -s -H "Authorization: Bearer $(cat ${apiToken})" \\
    '${url}/api/v1/query?metric=cpu_usage_percent&host=${host}'
  node agent/bin/hostpulse-agent.js --once --config ${shown(agentConfig)}

Ctrl-C stops both, or \`kill ${process.pid}\` from another terminal.
`);

  agent.on('exit', (code) => {
    if (children.stopping) return;
    process.stderr.write(`${agentRun.why(`the agent exited with ${code}`)}\n`);
  });
  collector.on('exit', (code) => {
    if (children.stopping) return;
    void giveUp(new StartError(collectorRun.why(`the collector exited with ${code}`)));
  });
}

try {
  const settings = checkedSettings();
  mkdirSync(home, { recursive: true });
  takeRunLock(join(home, 'start.pid'));
  if (!existsSync(join(root, 'node_modules', 'better-sqlite3'))) {
    step('installing dependencies (npm ci; better-sqlite3 compiles from source, about 2 minutes)');
    run('npm', ['ci', '--no-audit', '--no-fund'], 'npm ci');
  }
  step('building (tsc -b)');
  run('npm', ['run', 'build', '--silent'], 'the build');
  const port = settings.port ?? (await firstFreePort(8080, 10));
  await start(`http://127.0.0.1:${port}`, port, settings.logLevel);
} catch (err) {
  await giveUp(err);
}
