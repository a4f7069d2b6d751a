import { describe, expect, it } from 'vitest';
import { TokenBuckets } from './rate-limit.js';

describe('TokenBuckets', () => {
  it('lets a burst through, then refills at the rate, per key', () => {
    let now = 1_000_000;
    const buckets = new TokenBuckets({ requestsPerSecond: 2, burst: 3 }, () => now);
    expect([1, 2, 3].map(() => buckets.take('a').ok)).toEqual([true, true, true]);
    expect(buckets.take('a')).toEqual({ ok: false, retryAfterMs: 500 });
    expect(buckets.take('b').ok).toBe(true);

    now += 250;
    expect(buckets.take('a')).toEqual({ ok: false, retryAfterMs: 250 });
    now += 250;
    expect(buckets.take('a').ok).toBe(true);
    now += 60_000;
    expect([1, 2, 3, 4].map(() => buckets.take('a').ok)).toEqual([true, true, true, false]);
  });

  it('never limits with a rate of 0', () => {
    const buckets = new TokenBuckets({ requestsPerSecond: 0, burst: 1 }, () => 0);
    expect([1, 2, 3].every(() => buckets.take('a').ok)).toBe(true);
  });
});
