import { describe, expect, it } from 'vitest';
import { looksLikePartition, parseDiskstats, sysBlockName } from './diskstats.js';

describe('parseDiskstats', () => {
  it.each([
    [
      'kernel 6.x line with 17 counters (captured on the build machine)',
      ' 254       0 vda 91766 13104 3782714 66632 31839 37208 3393200 13585 0 14456 82771 20256 25 1139272 2226 5721 326\n',
      [{ device: 'vda', sectorsRead: 3782714, sectorsWritten: 3393200, ioTicksMs: 14456 }],
    ],
    [
      'kernel 4.x line with 11 counters',
      '   8       0 sda 100 0 2000 10 50 0 4000 20 0 300 30\n',
      [{ device: 'sda', sectorsRead: 2000, sectorsWritten: 4000, ioTicksMs: 300 }],
    ],
    ['an old-style partition line with 4 counters is left out', '   8       1 sda1 10 200 5 400\n', []],
    ['a name with a slash', ' 104 0 cciss/c0d0 1 0 8 0 1 0 8 0 0 1 1\n', [{ device: 'cciss/c0d0', sectorsRead: 8, sectorsWritten: 8, ioTicksMs: 1 }]],
    ['garbage', 'x y z 1 2 3 4 5 6 7 8 9 a b\n\n', []],
  ])('%s', (_why, text, expected) => {
    expect(parseDiskstats(text)).toEqual(expected);
  });
});

describe('sysBlockName', () => {
  it('writes a slash as "!" like the kernel does in /sys/block', () => {
    expect(sysBlockName('cciss/c0d0')).toBe('cciss!c0d0');
    expect(sysBlockName('sda')).toBe('sda');
  });
});

describe('looksLikePartition', () => {
  it.each([
    ['sda', false], ['sda1', true], ['sdaa12', true], ['vda', false], ['vda2', true], ['xvdb1', true],
    ['hdc3', true], ['nvme0n1', false], ['nvme0n1p1', true], ['mmcblk0', false], ['mmcblk0p2', true],
    ['dm-0', false], ['md0', false],
  ])('%s → %s', (device, expected) => {
    expect(looksLikePartition(device)).toBe(expected);
  });
});
