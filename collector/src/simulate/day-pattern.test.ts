import { describe, expect, it } from 'vitest';
import { dayActivity, localHour, noisyActivity, type DayShape } from './day-pattern.js';

const HOUR = 3_600_000;
const MIDNIGHT = Date.UTC(2026, 11, 1);
const utc: DayShape = { utcOffsetHours: 0, floor: 0.05, peak: 0.85 };

describe('day pattern', () => {
  it('is quiet at night, busy in working hours, with an evening bump between', () => {
    const at = (hour: number) => dayActivity(MIDNIGHT + hour * HOUR, utc);
    expect(at(3)).toBeLessThan(0.1);
    expect(at(11)).toBeGreaterThan(0.7);
    expect(at(15)).toBeGreaterThan(0.7);
    expect(at(21)).toBeGreaterThan(at(3) + 0.2);
    expect(at(21)).toBeLessThan(at(15));
    for (let hour = 0; hour < 24; hour += 0.25) {
      expect(at(hour)).toBeGreaterThanOrEqual(utc.floor);
      expect(at(hour)).toBeLessThanOrEqual(utc.peak);
    }
  });

  it('has no step at midnight', () => {
    const before = dayActivity(MIDNIGHT - 1000, utc);
    const after = dayActivity(MIDNIGHT + 1000, utc);
    expect(Math.abs(before - after)).toBeLessThan(0.01);
  });

  it('follows the host timezone: 03:00 UTC is 11:00 at +8', () => {
    const asia: DayShape = { ...utc, utcOffsetHours: 8 };
    expect(localHour(MIDNIGHT + 3 * HOUR, asia)).toBe(11);
    expect(dayActivity(MIDNIGHT + 3 * HOUR, asia)).toBe(dayActivity(MIDNIGHT + 11 * HOUR, utc));
  });

  it('adds noise that a seed repeats exactly and another seed changes', () => {
    const t = MIDNIGHT + 14 * HOUR + 12_345;
    const a = noisyActivity(t, utc, 42, 7);
    expect(noisyActivity(t, utc, 42, 7)).toBe(a);
    expect(noisyActivity(t, utc, 43, 7)).not.toBe(a);
    expect(Math.abs(a - dayActivity(t, utc))).toBeLessThan(0.1);
  });
});
