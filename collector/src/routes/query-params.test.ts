import { describe, expect, it } from 'vitest';
import { HostpulseError } from '@hostpulse/shared';
import { labelMatchers, parseRange, parseStep, parseTime } from './query-params.js';

function messageOf(action: () => unknown): string {
  try {
    action();
  } catch (err) {
    expect(err).toBeInstanceOf(HostpulseError);
    expect((err as HostpulseError).code).toBe('bad_request');
    return (err as HostpulseError).message;
  }
  throw new Error('expected a bad_request error');
}

describe('parseTime', () => {
  it.each([
    ['1764860400000', 1_764_860_400_000],
    ['2025-12-04T15:00:00Z', Date.UTC(2025, 11, 4, 15)],
    ['2025-12-04T16:00:00.500+01:00', Date.UTC(2025, 11, 4, 15, 0, 0, 500)],
  ])('reads %s', (text, ms) => {
    expect(parseTime('from', text)).toBe(ms);
  });

  it.each(['yesterday', '2025-12-04', '2025-12-04T15:00:00', '2025-13-40T15:00:00Z'])('refuses %s', (text) => {
    expect(messageOf(() => parseTime('from', text))).toBe(
      `query parameter from: "${text}" is not a time (write epoch milliseconds or RFC 3339 like 2026-12-04T15:00:00Z)`,
    );
  });
});

describe('parseStep', () => {
  it('reads durations and plain milliseconds', () => {
    expect(parseStep('1m')).toBe(60_000);
    expect(parseStep('90s')).toBe(90_000);
    expect(parseStep('1500')).toBe(1500);
  });

  it.each(['0', '0s', 'soon', '-5m'])('refuses %s', (text) => {
    expect(messageOf(() => parseStep(text))).toBe(
      `query parameter step: "${text}" is not a positive duration (write 30s, 5m or 60000)`,
    );
  });
});

describe('parseRange', () => {
  it('defaults to the last hour before now', () => {
    expect(parseRange(undefined, undefined, 10_000_000)).toEqual({ fromMs: 6_400_000, toMs: 10_000_000 });
    expect(parseRange(undefined, '5000000', 10_000_000)).toEqual({ fromMs: 1_400_000, toMs: 5_000_000 });
  });

  it('refuses from after to', () => {
    expect(messageOf(() => parseRange('2000', '1000', 0))).toBe(
      'query parameter from: "2000" is after to (1970-01-01T00:00:01.000Z)',
    );
  });
});

describe('labelMatchers', () => {
  it('takes label.KEY parameters only', () => {
    expect(labelMatchers({ metric: 'x', 'label.mount': '/', 'label.env': 'prod', host: 'a' })).toEqual({ mount: '/', env: 'prod' });
  });
});
