import { describe, expect, it } from 'vitest';
import { memoryFigures, parseMeminfo } from './meminfo.js';

describe('parseMeminfo', () => {
  it.each([
    ['kB values become bytes', 'MemTotal:       24683792 kB\n', [['MemTotal', 24683792 * 1024]]],
    ['bare counts stay counts', 'HugePages_Total:       0\nHugepagesize:       2048 kB\n', [['HugePages_Total', 0], ['Hugepagesize', 2048 * 1024]]],
    ['names with parentheses', 'Active(anon):     1000 kB\n', [['Active(anon)', 1024000]]],
    ['junk and blank lines are left out', '\nnonsense\nMemFree: x kB\nEmpty:\nSwapFree: 0 kB', [['SwapFree', 0]]],
  ])('%s', (_why, text, expected) => {
    expect([...parseMeminfo(text)]).toEqual(expected);
  });
});

describe('memoryFigures', () => {
  const kb = (n: number) => n * 1024;

  it('takes MemAvailable when the kernel has it', () => {
    const fields = new Map([['MemTotal', kb(1000)], ['MemFree', kb(100)], ['MemAvailable', kb(600)], ['Buffers', kb(50)], ['Cached', kb(200)], ['SwapTotal', kb(400)], ['SwapFree', kb(300)]]);
    expect(memoryFigures(fields)).toEqual({
      totalBytes: kb(1000), availableBytes: kb(600), swapTotalBytes: kb(400), swapFreeBytes: kb(300),
    });
  });

  it('estimates available as MemFree + Buffers + Cached on kernels before 3.14', () => {
    // 100 + 50 + 200 = 350 kB
    const fields = new Map([['MemTotal', kb(1000)], ['MemFree', kb(100)], ['Buffers', kb(50)], ['Cached', kb(200)]]);
    expect(memoryFigures(fields)).toMatchObject({ availableBytes: kb(350), swapTotalBytes: 0 });
  });

  it('gives nothing without MemTotal', () => {
    expect(memoryFigures(new Map([['MemFree', 1]]))).toBeUndefined();
  });
});
