import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBatch } from '@hostpulse/shared';
import { startPrivatePostgres, type PrivatePostgres } from './helpers/private-postgres.js';
import { tempDir } from './helpers/processes.js';
import { cycleProblems, prepareStack, storedCycles, waitDrained, type Stack } from './helpers/stack.js';

// SPEC §7: no sample is lost across a database restart. A real collector on a private
// PostgreSQL cluster and a real agent sampling every second; the cluster is stopped for 30 s
// (pg_ctl stop -m fast) and started again. Meanwhile ingest answers 503 with Retry-After and
// the agent keeps its batches; afterwards every cycle is stored exactly once.

const OUTAGE_MS = 30_000;

describe('database outage', () => {
  const dir = tempDir('db-outage');
  let cluster: PrivatePostgres;
  let stack: Stack;

  beforeAll(async () => {
    cluster = await startPrivatePostgres();
    stack = await prepareStack(dir.path, cluster.url, { intervalS: 1 });
  }, 120_000);

  afterAll(async () => {
    await stack?.stopAll();
    cluster?.remove();
    dir.remove();
  });

  it('answers 503 while PostgreSQL is down and stores every cycle once after it is back', async () => {
    await stack.startCollector();
    stack.startAgent();
    await waitDrained(cluster.url, Date.now());
    await new Promise((r) => setTimeout(r, 3_000));

    cluster.stop();
    const stoppedAt = Date.now();
    await new Promise((r) => setTimeout(r, 5_000));
    const answer = await fetch(`${stack.url}/api/v1/ingest`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.token}`, 'content-type': 'application/x-protobuf' },
      // A valid batch: the collector remembers the agent token, so only storing can fail.
      body: encodeBatch({
        agentId: 'outage-probe', incarnation: 'probe', seq: 1, hostName: 'probe', sentAtMs: Date.now(),
        series: [{ metric: 'probe_value', timestampsMs: [Date.now()], values: [1] }],
      }),
    });
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toBe('5');
    expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('storage_unavailable');
    await new Promise((r) => setTimeout(r, OUTAGE_MS - (Date.now() - stoppedAt)));

    cluster.start();
    await waitDrained(cluster.url, Date.now(), 120_000);
    expect(await stack.agent?.stop()).toBe(0);

    const cycles = await storedCycles(cluster.url);
    expect(cycles.times.length).toBeGreaterThan(35);
    expect(cycleProblems(cycles, 1_000)).toEqual([]);
    expect(stack.collector?.log()).toContain('storage unavailable');
    // serve started the maintenance jobs: the partition job made the next days at start.
    expect(stack.collector?.log()).toMatch(/"job":"partitions".*"maintenance job done"/);
  }, 240_000);
});
