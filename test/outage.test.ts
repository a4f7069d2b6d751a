import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../collector/test/helpers/pg.js';
import { tempDir } from './helpers/processes.js';
import { cycleProblems, prepareStack, storedCycles, waitDrained, type Stack } from './helpers/stack.js';

// SPEC §7: no sample is lost between the sampler and the database while the buffer has room,
// across collector restarts. The agent samples every second while the collector is away for
// 20 s; afterwards every cycle must be in PostgreSQL exactly once.

describe('collector outage', () => {
  const dir = tempDir('outage');
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let stack: Stack;

  beforeAll(async () => {
    db = await createTestDatabase();
    stack = await prepareStack(dir.path, db.url, { intervalS: 1 });
  });

  afterAll(async () => {
    await stack?.stopAll();
    await db?.drop();
    dir.remove();
  });

  it('stores every cycle exactly once after the collector was stopped for 20 s', async () => {
    await stack.startCollector();
    stack.startAgent();
    await waitDrained(db.url, Date.now());
    await new Promise((r) => setTimeout(r, 3_000));

    await stack.collector?.stop();
    await new Promise((r) => setTimeout(r, 20_000));
    await stack.startCollector('collector-after-outage');
    await waitDrained(db.url, Date.now());
    expect(await stack.agent?.stop()).toBe(0);

    const cycles = await storedCycles(db.url);
    expect(cycles.times.length).toBeGreaterThan(25);
    expect(cycleProblems(cycles, 1_000)).toEqual([]);
    // 20 s of outage, then up to 32 s of backoff before the agent tries again: past the default
    // 60 s on a loaded machine.
  }, 150_000);
});
