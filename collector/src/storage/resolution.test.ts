import { describe, expect, it } from 'vitest';
import { planQuery, wholeRawFromMs } from './resolution.js';
import type { QueryRequest } from './storage.js';

const H = 3_600_000;
const DAY = 24 * H;
const T = 1_700_000_100_000; // a multiple of 5 minutes

function request(fromMs: number, toMs: number, stepMs?: number): QueryRequest {
  return { metric: 'm', labels: {}, fromMs, toMs, stepMs, agg: 'avg', maxPoints: 1000 };
}

describe('planQuery', () => {
  const state = { rolledThroughMs: T + 10 * DAY, rawFromMs: T - 5 * DAY };

  it('reads raw samples without a step, with a step that is no multiple of 5m, over hours', () => {
    expect(planQuery(request(T, T + 7 * DAY), state)).toEqual({ raw: [[T, T + 7 * DAY]] });
    expect(planQuery(request(T, T + 7 * DAY, 90_000), state).rollup).toBeUndefined();
    expect(planQuery(request(T, T + 6 * H, 300_000), state).rollup).toBeUndefined();
  });

  it('reads rollups over a day or more, raw at edges cutting a bucket and past the job', () => {
    const rolled = { rolledThroughMs: T + DAY };
    const plan = planQuery(request(T + 1_000, T + 2 * DAY, 3_600_000), rolled);
    expect(plan).toEqual({
      rollup: { fromMs: T + 300_000, toMs: T + DAY },
      raw: [[T + 1_000, T + 299_999], [T + DAY, T + 2 * DAY]],
    });
  });

  it('reads rollups for a short range before the raw samples kept, whole first bucket', () => {
    const plan = planQuery(request(T - 6 * DAY + 1_000, T - 6 * DAY + H - 1, 300_000), state);
    expect(plan).toEqual({ rollup: { fromMs: T - 6 * DAY, toMs: T - 6 * DAY + H }, raw: [] });
  });

  it('reads raw samples alone before the rollup job ever ran', () => {
    expect(planQuery(request(T, T + 7 * DAY, 300_000), {})).toEqual({ raw: [[T, T + 7 * DAY]] });
  });
});

describe('wholeRawFromMs', () => {
  it('is the first bucket retention left whole: the next bucket when its limit cut one', () => {
    expect(wholeRawFromMs({ rawFromMs: T })).toBe(T);
    expect(wholeRawFromMs({ rawFromMs: T + 1 })).toBe(T + 300_000);
    expect(wholeRawFromMs({ rawFromMs: -T - 1 })).toBe(-T);
    expect(wholeRawFromMs({ rolledThroughMs: T })).toBeUndefined();
  });
});
