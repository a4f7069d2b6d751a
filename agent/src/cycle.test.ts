import { describe, expect, it } from 'vitest';
import { sampleAll } from './cycle.js';
import type { ActiveSampler } from './sampler-set.js';
import type { SampleResult } from './samplers/sampler.js';

function active(name: string, sample: () => Promise<SampleResult>): ActiveSampler & { calls: number } {
  const entry = {
    name,
    key: name,
    calls: 0,
    pending: undefined as Promise<SampleResult> | undefined,
    sampler: {
      sample: () => {
        entry.calls += 1;
        return sample();
      },
    },
  };
  return entry;
}

const ok = (metric: string): SampleResult => ({ series: [{ metric, labels: {}, value: 1 }], problems: [] });
const never = () => new Promise<SampleResult>(() => undefined);

describe('sampleAll', () => {
  it('collects every sampler, with the problems each met', async () => {
    const set = [
      active('load', async () => ok('load_1m')),
      active('filesystem', async () => ({ ...ok('filesystem_size_bytes'), problems: [{ source: '/mnt/nfs', message: 'statfs timed out' }] })),
      active('cpu', async () => {
        throw new Error('cannot read /proc/stat');
      }),
    ];
    const result = await sampleAll(set, 1000, { timeoutMs: 1000 });
    expect(result.values.map((v) => v.metric)).toEqual(['load_1m', 'filesystem_size_bytes']);
    expect(result.problems).toEqual([
      { sampler: 'filesystem', source: '/mnt/nfs', message: 'statfs timed out' },
      { sampler: 'cpu', source: 'cpu', message: 'cannot read /proc/stat' },
    ]);
  });

  it('gives up on a hung sampler at its timeout, and does not call it again while it hangs', async () => {
    const hung = active('filesystem', never);
    const fine = active('load', async () => ok('load_1m'));
    const first = await sampleAll([hung, fine], 1000, { timeoutMs: 20 });
    expect(first.values.map((v) => v.metric)).toEqual(['load_1m']);
    expect(first.problems).toEqual([{ sampler: 'filesystem', source: 'filesystem', message: 'did not finish within 20 ms' }]);

    const second = await sampleAll([hung, fine], 2000, { timeoutMs: 20 });
    expect(hung.calls).toBe(1);
    expect(second.problems[0]?.message).toBe('still running from an earlier cycle');
  });

  it('gives up at once when the agent is stopping', async () => {
    const hurry = new AbortController();
    const pending = sampleAll([active('filesystem', never)], 1000, { timeoutMs: 60_000, hurry: hurry.signal });
    hurry.abort();
    expect((await pending).problems[0]?.message).toBe('given up: the agent is stopping');
  });
});
