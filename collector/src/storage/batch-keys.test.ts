import { describe, expect, it } from 'vitest';
import { batchDayMs, batchKeyLimitMs } from './batch-keys.js';
import { DEFAULT_STORAGE_POLICY } from './policy.js';
import type { IngestBatch } from './storage.js';

const DAY = 86_400_000;
const D0 = 1_689_984_000_000; // a UTC midnight

function batch(overrides: Partial<IngestBatch>): IngestBatch {
  return {
    agentId: 'a', incarnation: 'i', seq: 1, hostName: 'h', agentVersion: '1', hostLabels: {},
    intervalMs: 10_000, receivedMs: D0 + 5 * DAY, clockSkewMs: 0, stopping: false,
    series: [], events: [], gaps: [], ...overrides,
  };
}

const series = (...timestampsMs: number[]) => ({
  metric: 'm', labels: {}, timestampsMs, values: timestampsMs.map(() => Number.NaN),
});

describe('batchDayMs', () => {
  const event = { timeMs: D0 + 2 * DAY, kind: 'k', labels: {}, message: '' };
  const gap = { fromMs: D0, toMs: D0 + 1, batches: 1, reason: 'too_old' };
  it.each([
    ['the newest sample, whatever its value', { series: [series(D0 + 1, D0 + DAY + 7), series(D0)] }, D0 + DAY],
    ['an event newer than every sample', { series: [series(D0)], events: [event] }, D0 + 2 * DAY],
    ['the receive day when there is neither, gaps aside', { gaps: [gap] }, D0 + 5 * DAY],
    ['a time before 1970', { series: [series(-1)] }, -DAY],
  ])('takes %s', (_, overrides, day) => {
    expect(batchDayMs(batch(overrides))).toBe(day);
  });

  it('is the same for a copy sent later with another send time and gaps', () => {
    const first = batch({ series: [series(D0 + 100)], receivedMs: D0 + 200, clockSkewMs: 5 });
    const gaps = [{ fromMs: 1, toMs: 2, batches: 1, reason: 'buffer_full' }];
    const resent = { ...first, receivedMs: D0 + 3 * DAY, clockSkewMs: -9, gaps };
    expect(batchDayMs(resent)).toBe(batchDayMs(first));
  });
});

describe('batchKeyLimitMs', () => {
  const now = D0 + 100 * DAY;
  const policy = (rawDays: number, keyDays: number) => ({
    ...DEFAULT_STORAGE_POLICY, rawRetentionMs: rawDays * DAY, batchKeyRetentionMs: keyDays * DAY,
  });

  it('keeps keys for the longer of retention.raw and retention.batch_keys', () => {
    expect(batchKeyLimitMs(policy(15, 8), now, now - 15 * DAY)).toBe(now - 15 * DAY);
    expect(batchKeyLimitMs(policy(2, 8), now, now - 2 * DAY)).toBe(now - 8 * DAY);
  });

  it('keeps keys while their raw samples wait for the rollup job', () => {
    expect(batchKeyLimitMs(policy(2, 8), now, now - 30 * DAY)).toBe(now - 30 * DAY);
    expect(batchKeyLimitMs(policy(2, 8), now, -Infinity)).toBe(-Infinity);
  });
});
