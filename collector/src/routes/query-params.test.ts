import { describe, expect, it } from 'vitest';
import { HostpulseError } from '@hostpulse/shared';
import {
  checkStepWithinRange,
  labelMatchers,
  parseRange,
  parseStep,
  parseTime,
} from './query-params.js';

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

  it.each(['yesterday', '2025-12-04', '2025-12-04T15:00:00', '2025-1-04T15:00:00Z'])('refuses %s', (text) => {
    expect(messageOf(() => parseTime('from', text))).toBe(
      `query parameter from: "${text}" is not a time (write epoch milliseconds or RFC 3339 like 2026-12-04T15:00:00Z)`,
    );
  });

  it.each([
    ['2028-02-29T00:00:00Z', Date.UTC(2028, 1, 29)],
    ['2000-02-29T12:00:00Z', Date.UTC(2000, 1, 29, 12)],
    ['2026-04-30T23:59:59.999Z', Date.UTC(2026, 3, 30, 23, 59, 59, 999)],
    ['2026-12-31T23:30:00-23:59', Date.UTC(2027, 0, 1, 23, 29)],
  ])('reads the real date %s', (text, ms) => {
    expect(parseTime('from', text)).toBe(ms);
  });

  // Each of these Date.parse either rolls over to another day or refuses without saying why.
  it.each([
    ['2026-02-30T00:00:00Z', 'February 2026 has 28 days'],
    ['2027-02-29T00:00:00Z', 'February 2027 has 28 days'],
    ['1900-02-29T00:00:00Z', 'February 1900 has 28 days'],
    ['2026-04-31T00:00:00Z', 'April 2026 has 30 days'],
    ['2026-01-00T00:00:00Z', 'January 2026 has 31 days'],
    ['2026-13-01T00:00:00Z', 'there is no month 13'],
    ['2026-00-10T00:00:00Z', 'there is no month 00'],
    ['2026-01-01T25:00:00Z', 'hours run from 00 to 23'],
    ['2026-01-01T24:00:00Z', 'hours run from 00 to 23'],
    ['2026-01-01T23:60:00Z', 'minutes run from 00 to 59'],
    ['2026-01-01T23:59:60Z', 'seconds run from 00 to 59'],
    ['2026-01-01T00:00:00+24:00', 'zone offsets run from -23:59 to +23:59'],
  ])('refuses %s, a date that does not exist', (text, why) => {
    expect(messageOf(() => parseTime('from', text))).toBe(
      `query parameter from: "${text}" is a date that does not exist (${why})`,
    );
  });

  it('words the place of a body field', () => {
    expect(messageOf(() => parseTime('ends_at', '2026-02-30T00:00:00Z', 'body'))).toBe(
      'body ends_at: "2026-02-30T00:00:00Z" is a date that does not exist (February 2026 has 28 days)',
    );
  });
});

describe('parseStep', () => {
  it('reads durations and plain milliseconds', () => {
    expect(parseStep('1m')).toBe(60_000);
    expect(parseStep('90s')).toBe(90_000);
    expect(parseStep('1500')).toBe(1500);
  });

  it('refuses a step past 2^53 ms, quoting it as sent', () => {
    expect(messageOf(() => parseStep('99999999999999999999'))).toBe(
      'query parameter step: "99999999999999999999" is too long (at most 9007199254740991 ms)',
    );
  });

  it.each(['0', '0s', 'soon', '-5m'])('refuses %s', (text) => {
    expect(messageOf(() => parseStep(text))).toBe(
      `query parameter step: "${text}" is not a positive duration (write 30s, 5m or 60000)`,
    );
  });
});

describe('checkStepWithinRange', () => {
  // The default range: the hour before now.
  const hour = { fromMs: Date.UTC(2026, 11, 4, 23), toMs: Date.UTC(2026, 11, 5) };
  const span = '2026-12-04T23:00:00.000Z to 2026-12-05T00:00:00.000Z';

  it('takes a step up to the range', () => {
    expect(() => checkStepWithinRange('1h', 3_600_000, hour)).not.toThrow();
    expect(() => checkStepWithinRange('30s', 30_000, hour)).not.toThrow();
  });

  it.each([
    ['1h1ms', 3_600_001],
    ['100d', 8_640_000_000],
    // Longer than any range a query can name (epoch ms have at most 15 digits).
    ['1000000000000000', 1e15],
    ['99999999999999999999', 1e20],
  ])('refuses %s, naming the step, the range and the longest step it takes', (text, ms) => {
    expect(messageOf(() => checkStepWithinRange(text, ms, hour))).toBe(
      `query parameter step: "${text}" is longer than the range (1h, ${span}); ` +
        'use a step of at most 1h or a longer range',
    );
  });

  it('spells an uneven range exactly, so the advice can be pasted', () => {
    const range = { fromMs: 1_000, toMs: 91_500 };
    expect(messageOf(() => checkStepWithinRange('2m', 120_000, range))).toContain(
      'use a step of at most 90500ms or a longer range',
    );
  });

  it('has no step to offer for a range of one instant', () => {
    const instant = { fromMs: hour.toMs, toMs: hour.toMs };
    expect(messageOf(() => checkStepWithinRange('1ms', 1, instant))).toBe(
      'query parameter step: "1ms" is longer than the range ' +
        '(0ms, 2026-12-05T00:00:00.000Z to 2026-12-05T00:00:00.000Z); ' +
        'leave step out to get the raw samples at that time, or widen the range',
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
