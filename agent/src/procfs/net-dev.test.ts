import { describe, expect, it } from 'vitest';
import { parseNetDev } from './net-dev.js';

const HEADER =
  'Inter-|   Receive                                                |  Transmit\n' +
  ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n';

describe('parseNetDev', () => {
  it.each([
    [
      'lines from the build machine, eth0 error counts edited to be non-zero',
      HEADER +
        '    lo:  109437    1741    0    0    0     0          0         0   109437    1741    0    0    0     0       0          0\n' +
        '  eth0: 343772095   10656    3    0    0     0          0         0   921893    7278    4    0    0     0       0          0\n',
      [
        { name: 'lo', receiveBytes: 109437, receiveErrors: 0, transmitBytes: 109437, transmitErrors: 0 },
        { name: 'eth0', receiveBytes: 343772095, receiveErrors: 3, transmitBytes: 921893, transmitErrors: 4 },
      ],
    ],
    [
      'no space after the colon on a large counter',
      HEADER + 'eth1:12345678901 5 1 0 0 0 0 0 42 5 2 0 0 0 0 0\n',
      [{ name: 'eth1', receiveBytes: 12345678901, receiveErrors: 1, transmitBytes: 42, transmitErrors: 2 }],
    ],
    ['header only', HEADER, []],
    ['a short line is left out', HEADER + 'eth0: 1 2 3\n', []],
    ['a non-numeric counter is left out', HEADER + 'eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 x\n', []],
  ])('%s', (_why, text, expected) => {
    expect(parseNetDev(text)).toEqual(expected);
  });
});
