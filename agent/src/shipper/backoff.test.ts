import { describe, expect, it } from 'vitest';
import { fullJitterDelay, MAX_RETRY_AFTER_MS, NETWORK_BACKOFF, parseRetryAfter, withJitter } from './backoff.js';

const highest = () => 0.999_999;
const lowest = () => 0;

describe('fullJitterDelay', () => {
  it.each([
    [1, 999],
    [2, 1999],
    [3, 3999],
    [6, 31_999],
    [7, 59_999],
    [50, 59_999],
  ])('after %i failures stays under its ceiling (%i ms at most)', (failures, most) => {
    expect(fullJitterDelay(failures, NETWORK_BACKOFF, highest)).toBe(most);
  });

  it('draws uniformly below the ceiling', () => {
    expect(fullJitterDelay(3, NETWORK_BACKOFF, () => 0.5)).toBe(2000);
  });

  it('never returns less than 100 ms, so a dead collector is not hit in a tight loop', () => {
    expect(fullJitterDelay(1, NETWORK_BACKOFF, lowest)).toBe(100);
    expect(fullJitterDelay(0, NETWORK_BACKOFF, lowest)).toBe(100);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-12-04T12:00:00Z');

  it.each([
    ['delay-seconds', '120', 120_000],
    ['zero seconds', '0', 0],
    ['an HTTP date 30 s ahead', 'Fri, 04 Dec 2026 12:00:30 GMT', 30_000],
    ['an HTTP date in the past', 'Fri, 04 Dec 2026 11:00:00 GMT', 0],
    ['a huge delay, capped', '86400', MAX_RETRY_AFTER_MS],
  ])('reads %s', (_what, header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });

  it.each([['absent', undefined], ['garbage', 'soon'], ['a negative number', '-5'], ['a fraction', '1.5']])(
    'gives up on %s',
    (_what, header) => {
      expect(parseRetryAfter(header, now)).toBeUndefined();
    },
  );
});

describe('withJitter', () => {
  it('adds up to 20% of the wait, at least up to 1 s', () => {
    expect(withJitter(10_000, lowest)).toBe(10_000);
    expect(withJitter(2000, () => 0.5)).toBe(2500);
    expect(withJitter(10_000, () => 0.5)).toBe(11_000);
    expect(withJitter(60_000, () => 0.5)).toBe(66_000);
  });
});
