import { describe, expect, it } from 'vitest';
import { agentOffsetMs, backfillCycles, planBackfill } from './schedule.js';

describe('schedule', () => {
  it('spreads agents over the interval', () => {
    expect([0, 1, 2, 3].map((i) => agentOffsetMs(i, 4, 10_000))).toEqual([0, 2500, 5000, 7500]);
  });

  it('backfills whole intervals that all lie in the past', () => {
    const now = 1_000_000_003_456;
    const plan = planBackfill(now, 3_600_000, 10_000, 4);
    expect(plan.cycles).toBe(360);
    expect(plan.batchesPerAgent).toBe(90);
    const times = Array.from({ length: plan.batchesPerAgent }, (_, b) => backfillCycles(plan, b, 4, 9_999, 10_000)).flat();
    expect(times).toHaveLength(360);
    expect(new Set(times).size).toBe(360);
    expect(Math.max(...times)).toBeLessThan(now);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(now - 3_600_000 - 10_000);
    expect(backfillCycles(planBackfill(now, 25_000, 10_000, 4), 0, 4, 0, 10_000)).toHaveLength(2);
  });
});
