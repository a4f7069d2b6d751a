import { describe, expect, it } from 'vitest';
import { parseLoadavg } from './loadavg.js';

describe('parseLoadavg', () => {
  it.each([
    ['captured on the build machine', '0.06 0.15 0.19 1/149 13111\n', { load1m: 0.06, load5m: 0.15, load15m: 0.19 }],
    ['a busy host', '12.50 8.00 4.25 9/1024 99\n', { load1m: 12.5, load5m: 8, load15m: 4.25 }],
    ['empty', '', undefined],
    ['too short', '0.1 0.2\n', undefined],
    ['not numbers', 'a b c 1/1 1\n', undefined],
  ])('%s', (_why, text, expected) => {
    expect(parseLoadavg(text)).toEqual(expected);
  });
});
