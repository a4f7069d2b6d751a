import { describe, expect, it } from 'vitest';

// The dashboard's pure browser modules, run in Node: how figures are written and where a chart's
// line breaks. They are plain JavaScript served as written, so they are imported by path; their
// DOM code runs only when called, and these functions call none of it.

const format = await import(`${'../dashboard/format.js'}`);
const chart = await import(`${'../dashboard/chart.js'}`);

describe('dashboard figures', () => {
  it.each([
    [format.percent, 71.54, '71.5 %'],
    [format.percent, 35, '35 %'],
    [format.percent, 99.97, '100 %'],
    [format.percent, undefined, '—'],
    [format.number, 1.5, '1.5'],
    [format.number, 0.4213, '0.42'],
    [format.number, 1234.5, '1235'],
    [format.bytes, 512, '512 B'],
    [format.bytes, 1536, '1.5 KiB'],
    [format.bytes, 2.7 * 1024 ** 3, '2.7 GiB'],
    [format.bytesPerSecond, 18 * 1024 ** 2, '18.0 MiB/s'],
    [format.duration, 45, '45 s'],
    [format.duration, 720, '12 min'],
    [format.duration, 40_560, '11 h 16 min'],
    [format.duration, 3 * 86_400 + 7200, '3 d 2 h'],
    [format.level, 79.9, 'ok'],
    [format.level, 80, 'warn'],
    [format.level, 90, 'crit'],
  ])('%o(%o) is %o', (fn, value, expected) => {
    expect(fn(value)).toBe(expected);
  });

  it('says how long ago, from the collector clock', () => {
    expect(format.ago(1_000_000, 1_000_500)).toBe('now');
    expect(format.ago(1_000_000, 1_089_000)).toBe('89 s ago');
    expect(format.ago(1_000_000, 1_090_000)).toBe('2 min ago');
  });
});

describe('chart lines', () => {
  const identity = (v: number) => v;

  it('draws one line through points a step apart', () => {
    const points = [[0, 1], [30, 2], [60, 3]];
    expect(chart.tracePoints(points, 30, identity, identity)).toEqual({
      path: 'M0.0,1.0L30.0,2.0L60.0,3.0',
      dots: [],
    });
  });

  it('breaks the line where more than two and a half steps are missing, and dots a lone point', () => {
    const points = [[0, 1], [30, 2], [180, 3], [400, 4], [430, 5]];
    expect(chart.tracePoints(points, 30, identity, identity)).toEqual({
      path: 'M0.0,1.0L30.0,2.0M400.0,4.0L430.0,5.0',
      dots: [[180, 3]],
    });
  });
});
