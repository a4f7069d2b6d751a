import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../collector/test/helpers/pg.js';
import { collectorBin, runCli, tempDir } from './helpers/processes.js';
import { prepareStack, storedCycles, waitDrained, type Stack } from './helpers/stack.js';

// SPEC §4 and §7: when the buffer is full, the oldest batches go first and the count says so.
// The agent samples every second into a 64 KiB buffer (about 30 of its batches) while the
// collector is away for 45 s; the batches it drops must be exactly the oldest, the agent's
// dropped counter and the gap record must agree to the batch, and the collector must show the
// gap on the host.

const OUTAGE_MS = 45_000;

describe('buffer full during a collector outage', () => {
  const dir = tempDir('overflow');
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let stack: Stack;

  beforeAll(async () => {
    db = await createTestDatabase();
    stack = await prepareStack(dir.path, db.url, { intervalS: 1, bufferYaml: 'max_bytes: 64KiB' });
  });

  afterAll(async () => {
    await stack?.stopAll();
    await db?.drop();
    dir.remove();
  });

  it('drops exactly the oldest batches, counts them, and the collector shows the gap', async () => {
    await stack.startCollector();
    stack.startAgent();
    await waitDrained(db.url, Date.now());

    await stack.collector?.stop();
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    await stack.startCollector('collector-after-outage');
    await waitDrained(db.url, Date.now(), 90_000);
    expect(await stack.agent?.stop()).toBe(0);

    // One run of seqs is missing: the oldest batches of the buffer when it overflowed.
    const { seqs, times } = await storedCycles(db.url);
    const missing = missingSeqs(seqs);
    expect(missing.length).toBeGreaterThan(0);
    expect(missing.at(-1)! - missing[0]! + 1).toBe(missing.length);

    // Their cycles are the one hole in the stored times, and the gap records cover it exactly.
    const holes = times.slice(1).flatMap((t, i) => {
      const before = times[i]!;
      return t - before > 1_000 ? [[before, t] as const] : [];
    });
    expect(holes).toHaveLength(1);
    const [before, after] = holes[0]!;
    const gaps = await storedGaps(db.url);
    expect(gaps.every((g) => g.reason === 'buffer_full')).toBe(true);
    expect(Math.min(...gaps.map((g) => g.fromMs))).toBe(before + 1_000);
    expect(Math.max(...gaps.map((g) => g.toMs))).toBe(after - 1_000);
    const droppedInGaps = gaps.reduce((sum, g) => sum + g.batches, 0);
    expect(droppedInGaps).toBe(missing.length);

    // The agent's own counter, as it last reported it, agrees to the batch.
    expect(await latestValue(db.url, 'agent_buffer_dropped_batches_total')).toBe(missing.length);
    const dropLines = stack
      .agent!.log()
      .split('\n')
      .filter((l) => l.includes('buffer dropped its oldest batches'));
    expect(dropLines.length).toBeGreaterThan(0);
    const lastDrop = JSON.parse(dropLines.at(-1)!);
    expect(lastDrop).toMatchObject({ level: 50, droppedTotal: missing.length });

    // The collector shows it on the host.
    const tokenArgs = ['token', 'create', '--api', 'viewer', '--role', 'viewer'];
    const created = runCli(collectorBin, [...tokenArgs, '--config', stack.collectorConfig]);
    const viewer = /hp_[A-Za-z0-9_-]+/.exec(created.stdout)?.[0];
    const get = (path: string) =>
      fetch(`${stack.url}${path}`, { headers: { authorization: `Bearer ${viewer}` } });
    const hosts = (await (await get('/api/v1/hosts')).json()) as { hosts: { id: string }[] };
    const shown = await get(`/api/v1/hosts/${encodeURIComponent(hosts.hosts[0]!.id)}/gaps`);
    expect(shown.status).toBe(200);
    const body = (await shown.json()) as { droppedBatches: number; gaps: unknown[] };
    expect(body.droppedBatches).toBe(missing.length);
    expect(body.gaps).toEqual(gaps);
    const range = `seq ${missing[0]}..${missing.at(-1)}`;
    process.stdout.write(`dropped ${missing.length} batches (${range}) in ${gaps.length} gap(s)\n`);
  }, 180_000);
});

function missingSeqs(seqs: number[]): number[] {
  const have = new Set(seqs);
  const last = seqs.at(-1) ?? 0;
  return Array.from({ length: last }, (_, i) => i + 1).filter((seq) => !have.has(seq));
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

function storedGaps(url: string) {
  return withClient(url, async (client) => {
    const sql = 'SELECT from_ms, to_ms, batches, reason FROM gaps ORDER BY from_ms, id';
    return (await client.query(sql)).rows.map((r) => ({
      fromMs: Number(r.from_ms),
      toMs: Number(r.to_ms),
      batches: Number(r.batches),
      reason: String(r.reason),
    }));
  });
}

function latestValue(url: string, metric: string): Promise<number> {
  return withClient(url, async (client) => {
    const rows = await client.query(
      `SELECT s.value FROM samples s JOIN series se ON se.id = s.series_id
       WHERE se.metric = $1 ORDER BY s.t_ms DESC LIMIT 1`,
      [metric],
    );
    return Number(rows.rows[0]?.value);
  });
}
