import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../collector/test/helpers/pg.js';
import { tempDir, waitFor } from './helpers/processes.js';
import { prepareStack, type Stack } from './helpers/stack.js';

// After a long outage the agent catches up: a 2-hour backlog at a 10 s interval (720 batches,
// written straight into the buffer file as an agent cut off from its collector would have left
// it) must reach the collector exactly once, while the agent goes on sampling every second and
// those cycles arrive too; once drained, the buffer file is small again. The drain time is
// printed, not asserted: bench/agent-drain.mjs measures it (the aim is 50 times faster than
// real time, 144 s for these 2 hours).

const BACKLOG = 720;
const BACKLOG_INTERVAL_MS = 10_000;
const SMALL_FILE_BYTES = 512 * 1024;
const helpers = resolve(import.meta.dirname, '..', 'agent', 'test', 'helpers');

describe('agent draining a 2-hour backlog', () => {
  const dir = tempDir('drain');
  const bufferPath = join(dir.path, 'agent.db');
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let stack: Stack;

  beforeAll(async () => {
    db = await createTestDatabase();
    const agentYaml = 'host: { id: drain-host }\n';
    stack = await prepareStack(dir.path, db.url, { intervalS: 1, agentYaml });
  });

  afterAll(async () => {
    await stack?.stopAll();
    await db?.drop();
    dir.remove();
  });

  it('sends 720 batches exactly once while new cycles flow, then shrinks the file', async () => {
    const written = writeBacklog(bufferPath);
    const sizeBefore = sizeOnDisk(bufferPath);
    await stack.startCollector();

    const startedMs = Date.now();
    stack.startAgent();
    const backlogStored = 'SELECT count(*) AS n FROM batches WHERE seq <= $1';
    await waitFor(
      'the backlog stored',
      async () => (await count(db.url, backlogStored, [BACKLOG])) === BACKLOG || undefined,
      150_000,
      100,
    );
    const drainMs = Date.now() - startedMs;
    // Cycles sampled after the agent started arrive too, and a recent one shows none is held up.
    await waitFor(
      'new cycles stored',
      async () => (await newestLoad(db.url)) > Date.now() - 3_000 || undefined,
      30_000,
    );
    // The running agent gives the room back once its buffer is empty, not only at a clean stop.
    const sizeRunning = await waitFor(
      'the buffer file to shrink',
      () => (sizeOnDisk(bufferPath) < SMALL_FILE_BYTES ? sizeOnDisk(bufferPath) : undefined),
      15_000,
    );
    expect(await stack.agent?.stop()).toBe(0);
    const sizeAfter = sizeOnDisk(bufferPath);

    const backlogTimes = await loadTimes(db.url, written.firstMs, written.newestMs);
    expect(backlogTimes.length).toBe(BACKLOG);
    expect(new Set(backlogTimes).size).toBe(BACKLOG);
    expect(backlogTimes[0]).toBe(written.firstMs);
    const twice = 'SELECT count(*) - count(DISTINCT seq) AS n FROM batches';
    expect(await count(db.url, twice, [])).toBe(0);
    // Sampling went on while the shipper was busy with the backlog: cycles from during the
    // drain are stored, each once. (How many depends on the machine's load: a busy machine
    // makes the agent skip ticks, which it counts.)
    const newCycles = await loadTimes(db.url, startedMs, Date.now());
    expect(newCycles.filter((t) => t < startedMs + drainMs).length).toBeGreaterThan(0);
    expect(new Set(newCycles).size).toBe(newCycles.length);

    expect(sizeBefore).toBeGreaterThan(2_000_000);
    expect(sizeAfter).toBeLessThan(SMALL_FILE_BYTES);
    const speedup = Math.round((BACKLOG * BACKLOG_INTERVAL_MS) / drainMs);
    process.stdout.write(
      `drained ${BACKLOG} batches in ${drainMs} ms (${speedup}x real time); buffer file ` +
        `${sizeBefore} bytes before, ${sizeRunning} once drained, ${sizeAfter} after the stop\n`,
    );
  }, 240_000);
});

function writeBacklog(path: string): { firstMs: number; newestMs: number } {
  const script = join(helpers, 'write-backlog.mjs');
  const args = [script, path, String(BACKLOG), String(BACKLOG_INTERVAL_MS), 'drain-host'];
  return JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' }));
}

function sizeOnDisk(path: string): number {
  const size = (file: string) => (existsSync(file) ? statSync(file).size : 0);
  return size(path) + size(`${path}-wal`);
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The column `n` of a one-row query. */
function count(url: string, sql: string, params: unknown[]): Promise<number> {
  return withClient(url, async (c) => Number((await c.query(sql, params)).rows[0]?.n));
}

function loadTimes(url: string, fromMs: number, toMs: number): Promise<number[]> {
  return withClient(url, async (c) => {
    const rows = await c.query(
      `SELECT s.t_ms::bigint AS t FROM samples s JOIN series se ON se.id = s.series_id
       WHERE se.metric = 'load_1m' AND s.t_ms BETWEEN $1 AND $2 ORDER BY s.t_ms`,
      [fromMs, toMs],
    );
    return rows.rows.map((r) => Number(r.t));
  });
}

async function newestLoad(url: string): Promise<number> {
  return (await loadTimes(url, Date.now() - 60_000, Date.now() + 60_000)).at(-1) ?? 0;
}
