import { describe, expect, it } from 'vitest';
import { HostpulseError } from '@hostpulse/shared';
import type { IngestBatch } from '../storage.js';
import { GroupWriter } from './group-writer.js';
import type { StorableBatch } from './store-batches.js';

// The grouping rules alone, with a write function that records the groups it was given;
// storage-postgres.test.ts runs the same writer against a real database.

function item(agentId: string, seq: number): StorableBatch {
  const batch = { agentId, seq } as IngestBatch;
  return { batch, acceptedSamples: 1, seriesIds: [1], timesMs: [seq], values: [seq], writeHost: false };
}

function recorder(fail?: (group: readonly StorableBatch[]) => Error | undefined) {
  const groups: string[][] = [];
  const releases: (() => void)[] = [];
  const write = (group: readonly StorableBatch[]) => {
    groups.push(group.map((i) => `${i.batch.agentId}/${i.batch.seq}`));
    return new Promise<boolean[]>((resolve, reject) => {
      releases.push(() => {
        const err = fail?.(group);
        if (err) reject(err);
        else resolve(group.map(() => true));
      });
    });
  };
  const releaseAll = async () => {
    while (releases.length > 0) {
      releases.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { groups, write, releaseAll };
}

describe('GroupWriter', () => {
  it('writes a lone batch at once, and groups what queued while the statement ran', async () => {
    const { groups, write, releaseAll } = recorder();
    const writer = new GroupWriter(write, { maxInFlight: 1, maxSamples: 100 });
    const done = [item('a', 1), item('b', 1), item('c', 1)].map((i) => writer.submit(i));
    expect(groups).toEqual([['a/1']]);

    await releaseAll();
    expect(await Promise.all(done)).toEqual([true, true, true]);
    expect(groups).toEqual([['a/1'], ['b/1', 'c/1']]);
  });

  it('never puts two batches of one agent in the same statement', async () => {
    const { groups, write, releaseAll } = recorder();
    const writer = new GroupWriter(write, { maxInFlight: 1, maxSamples: 100 });
    const done = [item('x', 0), item('a', 1), item('a', 2), item('b', 1)].map((i) => writer.submit(i));

    await releaseAll();
    await Promise.all(done);
    expect(groups).toEqual([['x/0'], ['a/1', 'b/1'], ['a/2']]);
  });

  it('stops a group at maxSamples', async () => {
    const { groups, write, releaseAll } = recorder();
    const writer = new GroupWriter(write, { maxInFlight: 1, maxSamples: 2 });
    const done = ['x', 'a', 'b', 'c'].map((agent) => writer.submit(item(agent, 1)));

    await releaseAll();
    await Promise.all(done);
    expect(groups).toEqual([['x/1'], ['a/1', 'b/1'], ['c/1']]);
  });

  it('writes each batch of a failed group alone, so only the bad one fails', async () => {
    const bad = new HostpulseError('batch_invalid', 'bad gap');
    const { groups, write, releaseAll } = recorder((group) => (group.some((i) => i.batch.agentId === 'bad') ? bad : undefined));
    const writer = new GroupWriter(write, { maxInFlight: 1, maxSamples: 100 });
    const done = ['x', 'a', 'bad', 'b'].map((agent) => writer.submit(item(agent, 1)).catch((err: Error) => err.message));

    await releaseAll();
    expect(await Promise.all(done)).toEqual([true, true, 'bad gap', true]);
    expect(groups).toEqual([['x/1'], ['a/1', 'bad/1', 'b/1'], ['a/1'], ['bad/1'], ['b/1']]);
  });

  it('fails the whole group at once when the database is unreachable', async () => {
    const down = new HostpulseError('storage_unavailable', 'PostgreSQL is down');
    const { groups, write, releaseAll } = recorder(() => down);
    const writer = new GroupWriter(write, { maxInFlight: 1, maxSamples: 100 });
    const done = ['x', 'a', 'b'].map((agent) => writer.submit(item(agent, 1)).catch((err: Error) => err.message));

    await releaseAll();
    expect(await Promise.all(done)).toEqual(['PostgreSQL is down', 'PostgreSQL is down', 'PostgreSQL is down']);
    expect(groups).toEqual([['x/1'], ['a/1', 'b/1']]);
  });
});
