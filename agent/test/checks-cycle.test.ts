import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchMessage, silentLogger } from '@hostpulse/shared';
import { BatchBuffer } from '../src/buffer/batch-buffer.js';
import { loadAgentSettings } from '../src/config.js';
import { Daemon } from '../src/daemon.js';
import { createSamplerSet } from '../src/sampler-set.js';
import {
  closedPort,
  startHttp,
  startSilentListener,
  type Target,
} from './helpers/check-targets.js';

// Checks inside the real cycle: the daemon's own loop on the wall clock, with several checks of
// which two hang (a listener that accepts and never answers), and `--once` run as a process.
// Nothing here times speed: the assertions are that no tick was skipped and that each cycle
// took less than its interval, which a hung check would break by holding the cycle.

const INTERVAL_MS = 2000;
const HUNG_TIMEOUT = '500ms';

let dir: string;
let web: Target;
let silent: Target;
let refused: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hostpulse-checks-cycle-'));
  web = await startHttp((_request, response) => response.end('ok'));
  silent = await startSilentListener();
  refused = await closedPort();
});

afterAll(async () => {
  await Promise.all([web.close(), silent.close()]);
  rmSync(dir, { recursive: true, force: true });
});

function agentYaml(extra: string[]): string {
  const file = join(dir, `agent-${Math.random().toString(16).slice(2)}.yaml`);
  const lines = [
    `collector: { url: "http://127.0.0.1:${refused}", timeout: 1s }`,
    `interval: ${INTERVAL_MS}ms`,
    `buffer: { path: ${join(dir, 'once.db')} }`,
    'checks:',
    ...extra,
  ];
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('checks in the daemon cycle', () => {
  it('keeps every cycle on time while two checks hang, and reports why they are down', async () => {
    const file = agentYaml([
      `  - { name: web, type: http, url: "http://127.0.0.1:${web.port}/" }`,
      `  - { name: hung-web, type: http, url: "http://127.0.0.1:${silent.port}/",` +
        ` timeout: ${HUNG_TIMEOUT} }`,
      `  - { name: hung-mail, type: smtp, host: 127.0.0.1, port: ${silent.port},` +
        ` timeout: ${HUNG_TIMEOUT} }`,
      `  - { name: port, type: tcp, host: 127.0.0.1, port: ${web.port} }`,
      `  - { name: data, type: storage, path: ${dir} }`,
    ]);
    const { config } = loadAgentSettings(file, {});
    const buffer = BatchBuffer.open(join(dir, 'daemon.db'), {
      limits: { maxBytes: 1e9, maxAgeMs: 1e15 },
      log: silentLogger(),
    });
    const daemon = new Daemon({
      intervalMs: config.intervalMs,
      labels: {},
      rootDir: '/',
      identity: { id: 'h1', idSource: 'config', name: 'web-1' },
      agentVersion: '0.1.0',
      samplers: createSamplerSet({ config, log: silentLogger() }),
      buffer,
      onBatch: () => undefined,
      log: silentLogger(),
    });
    try {
      daemon.start();
      for (let i = 0; i < 100 && buffer.stats().batches < 2; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      await daemon.stop({ final: false });
      expect(daemon.skippedCycles).toBe(0);

      const batches = [];
      for (let b = buffer.oldest(); b; b = buffer.oldest()) {
        batches.push(BatchMessage.decode(b.payload));
        buffer.acknowledge(b.seq);
      }
      expect(batches.length).toBeGreaterThanOrEqual(2);
      for (const batch of batches) {
        const up = Object.fromEntries(
          batch.series
            .filter((s) => s.metric === 'check_up')
            .map((s) => [s.labels?.check, s.values?.[0]]),
        );
        expect(up).toEqual({ web: 1, 'hung-web': 0, 'hung-mail': 0, port: 1, data: 1 });
        const cycle = batch.series.find((s) => s.metric === 'agent_cycle_seconds')?.values?.[0];
        expect(cycle).toBeLessThan(INTERVAL_MS / 1000);
      }

      // One event per check going down, in the first batch only: the reason did not change.
      const events = batches.map((b) => b.events.map((e) => [e.kind, e.labels, e.message]));
      expect(events[0]).toEqual([
        ['check_failed', { check: 'hung-web', type: 'http' }, `timed out after ${HUNG_TIMEOUT}`],
        ['check_failed', { check: 'hung-mail', type: 'smtp' }, `timed out after ${HUNG_TIMEOUT}`],
      ]);
      expect(events.slice(1).flat()).toEqual([]);
    } finally {
      buffer.close();
    }
  });
});

describe('checks in --once', () => {
  const bin = resolve(import.meta.dirname, '..', 'bin', 'hostpulse-agent.js');

  beforeAll(() => {
    if (!existsSync(resolve(import.meta.dirname, '..', 'dist', 'main.js'))) {
      throw new Error('agent/dist/main.js is missing: run `npx tsc -b` in the repository first');
    }
  });

  // Not spawnSync: the web server the check asks lives in this process and must keep answering.
  function runAgent(args: string[]): Promise<{ status: number | null; stdout: string }> {
    const env = { ...process.env, HOSTPULSE_AGENT_TOKEN: '', HOSTPULSE_AGENT_CONFIG: '' };
    const stdio = ['ignore', 'pipe', 'inherit'] as const;
    const child = spawn(process.execPath, [bin, ...args], { env, stdio: [...stdio] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const guard = setTimeout(() => child.kill(), 30_000);
    return new Promise((done) =>
      child.once('close', (status) => {
        clearTimeout(guard);
        done({ status, stdout });
      }),
    );
  }

  it('runs the checks, shows their values and why one is down, and exits 1', async () => {
    const file = agentYaml([
      `  - { name: web, type: http, url: "http://127.0.0.1:${web.port}/" }`,
      `  - { name: gone, type: tcp, host: 127.0.0.1, port: ${refused} }`,
    ]);
    const args = ['--once', '-c', file];
    const json = await runAgent([...args, '--json']);
    expect(json.status).toBe(1);
    const report = JSON.parse(json.stdout) as {
      checks: unknown[];
      samplers: string[];
      values: { metric: string; labels: Record<string, string>; value: number }[];
      problems: unknown[];
    };
    expect(report.checks).toEqual([
      { name: 'web', type: 'http' },
      { name: 'gone', type: 'tcp' },
    ]);
    expect(report.samplers).not.toContain('check:web');
    const up = report.values.filter((v) => v.metric === 'check_up');
    expect(up.map((v) => [v.labels.check, v.value])).toEqual([
      ['web', 1],
      ['gone', 0],
    ]);
    expect(report.problems).toContainEqual({
      sampler: 'check:gone',
      source: 'check:gone',
      message: `connect ECONNREFUSED 127.0.0.1:${refused}`,
      check: { name: 'gone', type: 'tcp' },
    });

    const text = await runAgent(args);
    expect(text.stdout).toContain('checks: web (http), gone (tcp)');
    expect(text.stdout).toContain(`check:gone: connect ECONNREFUSED 127.0.0.1:${refused}`);
  });
});
