import { createServer, type Server, type ServerResponse } from 'node:http';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBatch } from '@hostpulse/shared';
import { runSimulate } from '../src/commands/simulate.js';
import { runSimulation, type SimulationOptions } from '../src/simulate/simulation.js';
import { EMBEDDED_DATABASE_FILE } from '../src/storage/open-storage.js';
import { call, startTestCollector, type TestCollector } from './helpers/collector-server.js';

// `simulate` against a real collector on embedded SQLite, over real HTTP: the batches it sends
// must each be stored exactly once, a backfill must land in the past with its progress shown,
// and a real-time run must end with its hosts stopped, not left to turn down.

const bin = resolve(import.meta.dirname, '..', 'bin', 'hostpulse-collector.js');

function captured() {
  const writes: string[] = [];
  const stream = { isTTY: false, write: (text: string) => writes.push(text) };
  return { stream, text: () => writes.join('') };
}

describe('simulate against a real collector', () => {
  let collector: TestCollector;
  let db: Database.Database;

  beforeAll(async () => {
    collector = await startTestCollector();
    db = new Database(join(collector.config.dataDir, EMBEDDED_DATABASE_FILE), { readonly: true });
  });
  afterAll(async () => {
    db.close();
    await collector.close();
  });

  const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;

  /** Each host's status as GET /api/v1/hosts gives it, for hosts whose name starts with prefix. */
  async function statuses(prefix: string): Promise<string[]> {
    const answer = await call(`${collector.url}/api/v1/hosts`, { token: collector.tokens.viewer });
    expect(answer.status).toBe(200);
    const hosts = answer.json.hosts as { name: string; status: string }[];
    return hosts.filter((host) => host.name.startsWith(`${prefix}-`)).map((host) => host.status);
  }

  it('20 agents for 3 cycles: 60 batches stored once, 60 series each, then goodbyes', async () => {
    const err = captured();
    const env = { HOSTPULSE_AGENT_TOKEN: collector.tokens.agent };
    const argv = ['--url', collector.url, '--agents', '20', '--interval', '200ms', '--duration', '600ms'];
    const code = await runSimulate([...argv, '--seed', '4', '--incidents', '0', '--prefix', 'rt'], env, {
      stderr: err.stream,
    });
    expect(code, err.text()).toBe(0);

    // Three cycles, then each agent's goodbye: seq 4, no samples, marked stopping.
    expect(count("SELECT count(*) AS n FROM batches WHERE agent_id LIKE 'rt-%'")).toBe(80);
    const perAgent = db
      .prepare(
        "SELECT agent_id, group_concat(seq) AS seqs FROM batches WHERE agent_id LIKE 'rt-%' " +
          'GROUP BY agent_id',
      )
      .all() as { agent_id: string; seqs: string }[];
    expect(perAgent).toHaveLength(20);
    for (const row of perAgent) {
      expect(row.seqs.split(',').map(Number).sort()).toEqual([1, 2, 3, 4]);
    }
    expect(count("SELECT sum(samples) AS n FROM batches WHERE agent_id LIKE 'rt-%'")).toBe(60 * 60);
    const hosts = "SELECT id FROM hosts WHERE id LIKE 'rt-%'";
    const samples = `FROM samples JOIN series ON series.id = series_id WHERE host_id IN (${hosts})`;
    expect(count(`SELECT count(*) AS n ${samples}`)).toBe(3600);
    expect(count(`SELECT count(*) AS n FROM series WHERE host_id IN (${hosts})`)).toBe(20 * 60);
    const observed = collector.alerting.observed.filter((b) => b.agentId.startsWith('rt-'));
    expect(observed).toHaveLength(80);
    const goodbyes = observed.filter((b) => b.stopping);
    expect(goodbyes.map((b) => [b.seq, b.series.length])).toEqual(Array(20).fill([4, 0]));
    expect(await statuses('rt')).toEqual(Array(20).fill('stopped'));
  });

  it('--no-goodbye ends a real-time run with its hosts up and no stopping batch', async () => {
    const err = captured();
    const env = { HOSTPULSE_AGENT_TOKEN: collector.tokens.agent };
    const argv = ['--url', collector.url, '--agents', '3', '--interval', '200ms', '--duration', '400ms'];
    const flags = ['--seed', '5', '--incidents', '0', '--prefix', 'ng', '--no-goodbye'];
    const code = await runSimulate([...argv, ...flags], env, { stderr: err.stream });
    expect(code, err.text()).toBe(0);
    const observed = collector.alerting.observed.filter((b) => b.agentId.startsWith('ng-'));
    expect(observed).toHaveLength(6);
    expect(observed.some((b) => b.stopping)).toBe(false);
    expect(await statuses('ng')).toEqual(Array(3).fill('up'));
  });

  it('a run stopped early (Ctrl-C) still marks every host that sent stopped', async () => {
    const stop = new AbortController();
    const run = runSimulation(
      simulationOptions({ url: collector.url, token: collector.tokens.agent, prefix: 'cc' }),
      captured().stream,
      stop.signal,
    );
    // Runs until stopped (--duration 0); stopped once every agent has sent a batch.
    const agents = "SELECT count(DISTINCT agent_id) AS n FROM batches WHERE agent_id LIKE 'cc-%'";
    await until(() => count(agents) === 4);
    stop.abort();
    const summary = await run;

    expect(summary).toMatchObject({ failed: 0, stoppedHosts: 4, unstoppedHosts: 0 });
    expect(await statuses('cc')).toEqual(Array(4).fill('stopped'));
  });

  it('--backfill 1h for 5 agents: every cycle of the past hour stored, progress on stderr', async () => {
    const err = captured();
    const env = { HOSTPULSE_AGENT_TOKEN: collector.tokens.agent };
    const startedMs = Date.now();
    const argv = ['--url', collector.url, '--agents', '5', '--backfill', '1h', '--batch-cycles', '6'];
    const code = await runSimulate([...argv, '--seed', '8', '--prefix', 'bf', '--progress-every', '200ms'], env, {
      stderr: err.stream,
    });
    expect(code, err.text()).toBe(0);

    // 360 cycles of 10 s per agent, six to a batch.
    expect(count("SELECT count(*) AS n FROM batches WHERE agent_id LIKE 'bf-%'")).toBe(5 * 60);
    const hosts = "SELECT id FROM hosts WHERE id LIKE 'bf-%'";
    const where = `FROM samples JOIN series ON series.id = series_id WHERE host_id IN (${hosts})`;
    const cpu = `${where} AND metric = 'cpu_usage_percent'`;
    expect(count(`SELECT count(*) AS n ${cpu}`)).toBe(5 * 360);
    expect(count(`SELECT count(DISTINCT t_ms) AS n ${cpu}`)).toBe(5 * 360);
    expect(count(`SELECT max(t_ms) AS n ${where}`)).toBeLessThan(startedMs);
    expect(count(`SELECT min(t_ms) AS n ${where}`)).toBeGreaterThanOrEqual(startedMs - 3_600_000 - 10_000);

    const lines = err.text().trim().split('\n');
    expect(lines[0]).toMatch(/^simulating 5 agents with seed 8$/);
    expect(lines.at(-1)).toMatch(/^backfill  100\.0 %  300 of 300 batches  [\d,]+ samples\/s  done$/);
    // History only, no live fleet: no goodbye (the 300 batches above are all there is).
    expect(await statuses('bf')).toEqual(Array(5).fill('up'));
  });

  it('stops with exit 1 and says so when the collector refuses the token', async () => {
    const err = captured();
    const env = { HOSTPULSE_AGENT_TOKEN: `hp_${'x'.repeat(43)}` };
    const code = await runSimulate(['--url', collector.url, '--agents', '3', '--backfill', '1m'], env, {
      stderr: err.stream,
    });
    expect(code).toBe(1);
  });
});

/**
 * An HTTP server in place of a collector: `answer` sees each decoded batch and returns true to
 * have it acknowledged as stored; it answers otherwise itself, or leaves the request hanging.
 */
async function fakeCollector(
  answer: (batch: ReturnType<typeof decodeBatch>, res: ServerResponse) => boolean,
): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const batch = decodeBatch(Buffer.concat(chunks), true, { maxInflatedBytes: 1 << 20 });
      if (!answer(batch, res)) return;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ seq: Number(batch.seq), acceptedSamples: 60, duplicate: false }));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return server;
}

describe('simulate and an overloaded collector', () => {
  let server: Server;
  const arrivals: { ms: number; seq: number }[] = [];

  beforeAll(async () => {
    // Answers the first request 429 Retry-After: 1, then acknowledges like a collector.
    server = await fakeCollector((batch, res) => {
      arrivals.push({ ms: Date.now(), seq: Number(batch.seq) });
      if (arrivals.length > 1) return true;
      res.writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' });
      res.end('{"error":{"code":"overloaded","message":"busy"}}');
      return false;
    });
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  it('waits what Retry-After asks, then resends the same seq', async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const env = { HOSTPULSE_AGENT_TOKEN: 'hp_token' };
    const argv = ['--url', url, '--agents', '1', '--backfill', '10s', '--incidents', '0'];
    const code = await runSimulate(argv, env, { stderr: captured().stream });
    expect(code).toBe(0);
    expect(arrivals.map((a) => a.seq)).toEqual([1, 1]);
    expect(arrivals[1]!.ms - arrivals[0]!.ms).toBeGreaterThanOrEqual(950);
  });
});

describe('simulate and a collector that does not answer goodbyes', () => {
  let server: Server;

  beforeAll(async () => {
    // Acknowledges every batch at once, except the goodbyes, which it never answers.
    server = await fakeCollector((batch) => !batch.stopping);
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise<void>((done) => server.close(() => done()));
  });

  it('gives up after the deadline, counts the hosts not stopped, says what follows', async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const err = captured();
    const argv = ['--url', url, '--agents', '3', '--interval', '100ms', '--duration', '200ms'];
    const env = { HOSTPULSE_AGENT_TOKEN: 'hp_token' };
    const code = await runSimulate([...argv, '--incidents', '0'], env, { stderr: err.stream });

    // The data was stored, so the exit code is 0; the goodbyes are reported apart.
    expect(code).toBe(0);
    expect(err.text()).toContain(
      'hostpulse-collector simulate: 3 of 3 hosts were not marked stopped within 3 s (',
    );
    expect(err.text()).toContain(
      "they will show as down, with host-down alerts, after the collector's host_down_after",
    );
  });
});

describe('simulate flags', () => {
  function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
    const result = spawnSync(process.execPath, [bin, 'simulate', ...args], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, ...env },
      timeout: 30_000,
    });
    return { status: result.status, stderr: result.stderr, stdout: result.stdout };
  }
  const token = { HOSTPULSE_AGENT_TOKEN: 'hp_token' };
  const URL = 'http://127.0.0.1:9';

  it.each([
    [['--agents', 'many', '--url', URL], token, '--agents: "many" is not a whole number from 1 to'],
    [['--url', URL, '--interval', 'often'], token, '--interval: "often" is not a duration'],
    [['--url', 'ftp://127.0.0.1'], token, '--url: "ftp://127.0.0.1" must start with http://'],
    [['--agents', '5'], token, '--url is required'],
    [['--url', URL, '--colour', 'red'], token, "Unknown option '--colour'"],
    [['--url', URL], {}, 'an agent token is needed: --token-file FILE or env HOSTPULSE_AGENT_TOKEN'],
    [['--url', URL, '--token-file', '/nonexistent/t'], {}, '--token-file: cannot read'],
  ])('refuses %j with exit 2 and a clear message', (args, env, message) => {
    const result = cli(args, env);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`hostpulse-collector simulate: ${message}`);
    expect(result.stderr).toContain('simulate --help');
  });

  it('prints its flags on --help', () => {
    const result = cli(['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('--backfill DURATION');
  });
});

function simulationOptions(
  overrides: Pick<SimulationOptions, 'url' | 'token' | 'prefix'>,
): SimulationOptions {
  return {
    agents: 4,
    intervalMs: 100,
    durationMs: 0,
    backfillMs: undefined,
    batchCycles: 1,
    seed: 3,
    incidentsPerHostPerDay: 0,
    connections: 4,
    timeoutMs: 10_000,
    progressEveryMs: 5_000,
    ...overrides,
  };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}
