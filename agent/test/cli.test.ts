import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { acknowledge, startFakeCollector, type FakeCollector } from './helpers/fake-collector.js';

// The built agent as a real process: node agent/bin/hostpulse-agent.js. Build first (npx tsc -b).

const bin = resolve(import.meta.dirname, '..', 'bin', 'hostpulse-agent.js');
let dir: string;

beforeAll(() => {
  if (!existsSync(resolve(import.meta.dirname, '..', 'dist', 'main.js'))) {
    throw new Error('agent/dist/main.js is missing: run `npx tsc -b` in the repository first');
  }
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hostpulse-agent-cli-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function run(args: string[]) {
  const env = { ...process.env, HOSTPULSE_AGENT_TOKEN: '', HOSTPULSE_AGENT_CONFIG: '' };
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env, timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A port nothing listens on: a fake collector started and closed again. */
async function closedPortUrl(): Promise<string> {
  const gone = await startFakeCollector();
  await gone.close();
  return gone.url;
}

describe('hostpulse-agent --check-config', () => {
  it('refuses a bad file with exit 2 and one line per problem', () => {
    const file = write(
      'agent.yaml',
      ['collector:', '  url: "not a url"', '  timeout: soon', 'interval: 10 seconds', 'buffer: { max_bytes: 1 lot }', 'checks: []', ''].join('\n'),
    );
    const { status, stderr, stdout } = run(['--check-config', '--config', file]);
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([
      'agent.yaml: checks: unknown key (known keys here: collector, interval, host, labels, root, buffer, samplers, backups, log_level)',
      'agent.yaml: collector.url: "not a url" is not a URL (write e.g. http://127.0.0.1:8080)',
      'agent.yaml: collector.timeout: "soon" is not a duration (write 500ms, 10s, 90m, 26h or 7d)',
      'agent.yaml: interval: "10 seconds" is not a duration (write 500ms, 10s, 90m, 26h or 7d)',
      'agent.yaml: buffer.max_bytes: "1 lot" is not a size (write 512KiB, 1MiB or 1GB)',
    ]);
  });

  it('refuses broken YAML with exit 2 naming the line', () => {
    const { status, stderr } = run(['--check-config', '-c', write('agent.yaml', 'collector: [unclosed\n')]);
    expect(status).toBe(2);
    expect(stderr).toMatch(/^agent\.yaml: line \d+: /);
  });

  it('refuses a missing file with exit 2', () => {
    const { status, stderr } = run(['--check-config', '-c', join(dir, 'absent.yaml')]);
    expect(status).toBe(2);
    expect(stderr).toContain('absent.yaml: does not exist');
  });

  it('prints the effective configuration with the token redacted, exit 0', () => {
    const file = write('agent.yaml', 'collector: { url: "http://127.0.0.1:8080", token: "hp_very_secret" }\n');
    const { status, stdout } = run(['--check-config', '-c', file]);
    expect(status).toBe(0);
    expect(stdout).not.toContain('hp_very_secret');
    expect(stdout).toContain('"token": "[redacted]"');
    expect(stdout).toContain('"intervalMs": 10000');
  });
});

describe('hostpulse-agent --once', () => {
  it('exits 1 when the collector cannot be reached, and says why', async () => {
    const url = await closedPortUrl();
    const file = write('agent.yaml', `collector: { url: "${url}", timeout: 2s }\nbuffer: { path: ${join(dir, 'agent.db')} }\n`);
    const { status, stdout } = run(['--once', '-c', file]);
    expect(status).toBe(1);
    expect(stdout).toContain('unreachable: ECONNREFUSED');
    expect(stdout).toContain('not created yet');
    expect(existsSync(join(dir, 'agent.db'))).toBe(false);
  });

  it('prints JSON with --json', async () => {
    const url = await closedPortUrl();
    const file = write('agent.yaml', `collector: { url: "${url}", timeout: 2s }\nbuffer: { path: ${join(dir, 'agent.db')} }\n`);
    const { status, stdout } = run(['--once', '--json', '-c', file]);
    expect(status).toBe(1);
    const report = JSON.parse(stdout) as { ok: boolean; collector: { reachable: boolean }; samplers: string[] };
    expect(report.ok).toBe(false);
    expect(report.collector.reachable).toBe(false);
    expect(report.samplers.length).toBeGreaterThan(0);
  });

  it('exits 2 on a configuration error', () => {
    expect(run(['--once', '-c', write('agent.yaml', 'interval: 5s\n')]).status).toBe(2);
  });
});

describe('hostpulse-agent daemon', () => {
  let collector: FakeCollector;

  beforeEach(async () => {
    collector = await startFakeCollector();
  });

  afterEach(async () => {
    await collector.close();
  });

  it('ships batches, refuses a bad SIGHUP, takes a good one, and says goodbye on SIGTERM', async () => {
    const config = (labels: string) =>
      [`collector: { url: "${collector.url}", token: hp_t }`, 'interval: 1s', `labels: { ${labels} }`, `buffer: { path: ${join(dir, 'agent.db')} }`, ''].join('\n');
    const file = write('agent.yaml', config('env: one'));
    const child = spawn(process.execPath, [bin, '-c', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.on('data', (c: Buffer) => (log += c.toString()));
    child.stderr.on('data', (c: Buffer) => (log += c.toString()));
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    const until = async (what: string, probe: () => boolean) => {
      for (let i = 0; i < 150 && !probe(); i++) await new Promise((r) => setTimeout(r, 100));
      if (!probe()) throw new Error(`timed out waiting for ${what}; agent log:\n${log}`);
    };

    try {
      await until('a first batch', () => collector.received.length > 0);
      expect(collector.received[0]?.batch?.inventory?.cpuCount).toBeGreaterThan(0);

      writeFileSync(file, 'collector: { url: 42 }\n');
      child.kill('SIGHUP');
      await until('the refused reload', () => log.includes('reload refused'));
      expect(log).toContain('agent.yaml: collector.url:');

      writeFileSync(file, config('env: two'));
      child.kill('SIGHUP');
      await until('the reload', () => log.includes('configuration reloaded'));
      await until('a batch with the new labels', () => collector.received.some((r) => r.batch?.labels.env === 'two'));

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    const batches = collector.received.map((r) => r.batch!);
    expect(batches.at(-1)?.stopping).toBe(true);
    expect(batches.slice(0, -1).every((b) => !b.stopping)).toBe(true);
    const seqs = batches.map((b) => b.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(batches.map((b) => b.incarnation)).size).toBe(1);
    expect(batches[0]?.series.map((s) => s.metric)).toContain('agent_cycle_seconds');
    expect(log).not.toContain('hp_t"');
    expect(log).toContain('"msg":"agent stopped"');
    expect(readFileSync(join(dir, 'agent.db')).length).toBeGreaterThan(0);
    expect(collector.answer).toBe(acknowledge);
  });
});
