import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../collector/test/helpers/pg.js';
import { collectorBin, runCli, tempDir } from './helpers/processes.js';
import { prepareStack, storedCycles, waitDrained, type Stack } from './helpers/stack.js';

// SPEC §4 and §7: when the buffer is full, the oldest batches go first and the count says so.
// The agent samples every second into a 64 KiB buffer (about 30 of its batches) while the
// collector is away for 45 s; the batches it drops must be the oldest (but never one in flight),
// the agent's dropped counter and the gap record must agree to the batch with what is missing,
// and the collector must show the gap on the host.

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

  it('drops the oldest batches, counts each, and the collector shows the gap', async () => {
    await stack.startCollector();
    stack.startAgent();
    await waitDrained(db.url, Date.now());

    await stack.collector?.stop();
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    await stack.startCollector('collector-after-outage');
    await waitDrained(db.url, Date.now(), 90_000);
    expect(await stack.agent?.stop()).toBe(0);

    // One run of seqs is missing: the oldest batches of the buffer when it overflowed. A batch
    // the shipper had in flight when a drop came is kept (the collector may be storing it), so
    // at most a couple of stored seqs may sit inside the run, when the collector came back.
    const { seqs, times } = await storedCycles(db.url);
    const missing = missingSeqs(seqs);
    expect(missing.length).toBeGreaterThan(0);
    const keptInFlight = seqs.filter((seq) => seq > missing[0]! && seq < missing.at(-1)!);
    expect(keptInFlight.length).toBeLessThanOrEqual(2);

    // The gap records span the long hole in the stored cycle times (apart from the batches
    // kept in flight). Not to the millisecond: a loaded machine may skip a tick.
    const gaps = await storedGaps(db.url);
    expect(gaps.every((g) => g.reason === 'buffer_full')).toBe(true);
    const fromMs = Math.min(...gaps.map((g) => g.fromMs));
    const toMs = Math.max(...gaps.map((g) => g.toMs));
    const storedInside = times.filter((t) => t >= fromMs && t <= toMs);
    expect(storedInside.length).toBeLessThanOrEqual(keptInFlight.length);
    const outside = times.filter((t) => t < fromMs || t > toMs);
    const before = outside.filter((t) => t < fromMs).at(-1)!;
    const after = outside.find((t) => t > toMs)!;
    const longestStep = Math.max(...outside.slice(1).map((t, i) => t - outside[i]!));
    expect(after - before).toBe(longestStep);
    expect(toMs - fromMs).toBeGreaterThanOrEqual((missing.length - 1) * 1_000);
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
    const kept = keptInFlight.length ? `, ${keptInFlight.join(', ')} kept in flight` : '';
    const range = `seq ${missing[0]}..${missing.at(-1)}${kept}`;
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
