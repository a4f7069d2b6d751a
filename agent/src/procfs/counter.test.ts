import { describe, expect, it } from 'vitest';
import { counterIncrease, counterRate } from './counter.js';

const WRAP_32 = 2 ** 32;

describe('counterIncrease', () => {
  it.each([
    // previous, current, maxIncrease, expected, why
    [100, 250, 1e9, 150, 'normal growth'],
    [100, 100, 1e9, 0, 'no change'],
    [WRAP_32 - 1000, 500, 1e9, 1500, '32-bit wrap: 1000 up to 2^32, then 500'],
    [WRAP_32 - 1, 0, 1e9, 1, 'wrap landing exactly on 0'],
    [WRAP_32 - 1000, 500, 1000, undefined, 'wrap whose increase (1500) is above the plausible maximum'],
    [3_000_000_000, 2_999_000_000, 1e12, undefined, 'a small drop from the upper half: a wrap would be ~4.29e9, a reset'],
    [100_000, 100, 1e9, undefined, 'drop from the lower half of the 32-bit range: reset'],
    [9_000_000_000, 5000, 1e12, undefined, 'drop from above 2^32: a 64-bit counter reset'],
    [0, 5e12, 1e12, undefined, 'rise above the plausible maximum: device replaced'],
  ])('%d → %d (max %d) is %s: %s', (previous, current, maxIncrease, expected, _why) => {
    expect(counterIncrease(previous, current, maxIncrease)).toBe(expected);
  });

  it('never returns a negative or wrap-sized value for any drop', () => {
    for (const previous of [1, 1000, 2 ** 31 - 1, 2 ** 31, WRAP_32 - 1, WRAP_32, 2 ** 40]) {
      for (const current of [0, 1, previous - 1]) {
        const increase = counterIncrease(previous, current, 1e15);
        if (increase !== undefined) {
          expect(increase).toBeGreaterThanOrEqual(0);
          expect(increase).toBeLessThan(2 ** 31);
        }
      }
    }
  });
});

describe('counterRate', () => {
  it('divides the increase by the elapsed seconds', () => {
    // 25,000,000 bytes in 10,000 ms = 2,500,000 bytes/s
    expect(counterRate(1_000_000, 26_000_000, 10_000, 1e12)).toBe(2_500_000);
  });

  it('bounds the plausible increase by the elapsed time', () => {
    // max 100/s over 2 s allows 200; an increase of 201 is refused
    expect(counterRate(0, 200, 2000, 100)).toBe(100);
    expect(counterRate(0, 201, 2000, 100)).toBeUndefined();
  });

  it('gives nothing when the clock did not move forward', () => {
    expect(counterRate(0, 10, 0, 1e12)).toBeUndefined();
    expect(counterRate(0, 10, -5, 1e12)).toBeUndefined();
  });
});
