import { describe, expect, it } from 'vitest';
import { formatSize, parseSize } from './sizes.js';

describe('parseSize', () => {
  it.each([
    ['512KiB', 524_288],
    ['1MiB', 1_048_576],
    ['256MiB', 268_435_456],
    ['1GB', 1_000_000_000],
    ['10 kb', 10_000],
    ['100B', 100],
  ])('%s is %d bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each(['', '1 megabyte', '12', 'MiB', '-1MiB'])('refuses %j', (text) => {
    expect(parseSize(text)).toBeUndefined();
  });

  it('formats exact binary units', () => {
    expect(formatSize(268_435_456)).toBe('256MiB');
    expect(formatSize(1000)).toBe('1000B');
  });
});
