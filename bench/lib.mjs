// Helpers shared by the benchmarks: process CPU and memory from /proc, statistics, processes.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, mkdtempSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer } from 'node:net';
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
