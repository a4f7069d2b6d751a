import { describe, expect, it } from 'vitest';
import { cpuPercentages, parseCpuStat, type CpuTimes } from './stat.js';

const times = (values: number[]): CpuTimes => {
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0, guest = 0, guestNice = 0] = values;
  return { user, nice, system, idle, iowait, irq, softirq, steal, guest, guestNice };
};

describe('parseCpuStat', () => {
  it.each([
    [
      'kernel 6.x (captured on the build machine)',
      'cpu  28563 0 8789 716426 781 0 240 6489 0 0\ncpu0 9552 0 3871 363243 69 0 48 3477 0 0\nintr 1 2\n',
      times([28563, 0, 8789, 716426, 781, 0, 240, 6489, 0, 0]),
    ],
    ['2.6.11 without guest fields', 'cpu  10 20 30 40 50 60 70 80\n', times([10, 20, 30, 40, 50, 60, 70, 80])],
    ['2.6.0 with only four fields after iowait', 'cpu  1 2 3 4 5\n', times([1, 2, 3, 4, 5])],
    ['aggregate line not first', 'btime 1\ncpu  1 2 3 4 5 6 7 8 9 10', times([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])],
    ['only per-CPU lines', 'cpu0 1 2 3 4 5 6 7 8 9 10\n', undefined],
    ['empty file', '', undefined],
    ['a field that is not a number', 'cpu  1 2 x 4 5\n', undefined],
    ['too few fields', 'cpu  1 2 3\n', undefined],
  ])('%s', (_why, text, expected) => {
    expect(parseCpuStat(text)).toEqual(expected);
  });
});

describe('cpuPercentages', () => {
  it('counts time not idle and not iowait as usage, guest time once', () => {
    // deltas: user 600 (guest 300 inside it), system 300, idle 900, iowait 100, softirq 50,
    // steal 50 → total 600+300+900+100+50+50 = 2000 (guest not added again)
    // usage (2000−900−100)/2000 = 50 %, iowait 100/2000 = 5 %, steal 50/2000 = 2.5 %
    const before = times([10000, 500, 3000, 80000, 1000, 0, 200, 300, 400, 0]);
    const after = times([10600, 500, 3300, 80900, 1100, 0, 250, 350, 700, 0]);
    expect(cpuPercentages(before, after)).toEqual({ usage: 50, iowait: 5, steal: 2.5 });
  });

  it('skips an interval in which any field went down', () => {
    const before = times([100, 0, 100, 1000, 10]);
    expect(cpuPercentages(before, times([200, 0, 200, 900, 20]))).toBeUndefined();
    expect(cpuPercentages(before, times([200, 0, 200, 1100, 9]))).toBeUndefined();
  });

  it('skips an interval in which no tick passed', () => {
    const same = times([1, 2, 3, 4, 5]);
    expect(cpuPercentages(same, same)).toBeUndefined();
  });
});
