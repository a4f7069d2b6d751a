import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../collector/test/helpers/pg.js';
import { tempDir } from './helpers/processes.js';
import { startHoldingProxy, type HoldingProxy } from './helpers/stand-ins.js';
import { cycleProblems, prepareStack, storedCycles, waitDrained, type Stack } from './helpers/stack.js';

// kill -9 of the agent while it sends: a proxy holds back the collector's answer, so the batch
// is stored but the agent never hears so. After a restart the agent sends it again; the
// collector must store it once, and every batch the agent had buffered must arrive.

describe('agent killed while sending', () => {
  const dir = tempDir('agent-crash');
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let stack: Stack;
  let proxy: HoldingProxy;

  beforeAll(async () => {
    db = await createTestDatabase();
    proxy = await startHoldingProxy();
    stack = await prepareStack(dir.path, db.url, { intervalS: 1, agentUrl: proxy.url });
    proxy.target = stack.url;
  });

  afterAll(async () => {
    await stack?.stopAll();
    await proxy?.close();
    await db?.drop();
    dir.remove();
  });

  it('loses nothing and doubles nothing', async () => {
    await stack.startCollector();
    stack.startAgent();
    await waitDrained(db.url, Date.now());
    await new Promise((r) => setTimeout(r, 2_000));

    proxy.holding = true;
    await proxy.held;
    const killedMs = Date.now();
    await stack.agent?.stop('SIGKILL');
    proxy.holding = false;
    const seqsAtKill = (await storedCycles(db.url)).seqs.length;

    await new Promise((r) => setTimeout(r, 2_000));
    const restartedMs = Date.now();
    stack.startAgent('agent-restarted');
    await waitDrained(db.url, Date.now());
    expect(await stack.agent?.stop()).toBe(0);

    const cycles = await storedCycles(db.url);
    expect(cycles.seqs.length).toBeGreaterThan(seqsAtKill);
    expect(cycleProblems(cycles, 1_000, [[killedMs - 2_500, restartedMs + 6_000]])).toEqual([]);
  });
});
