import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './backoff.js';
import { retryAfterMs } from '../notifiers/http-post.js';
import { formatValue, renderSummary } from './summary.js';
import { globToRegExp } from '@hostpulse/shared';

describe('retry spacing', () => {
  it('doubles from 5 s and stops growing at 10 min', () => {
    const top = [1, 2, 3, 4, 5, 6, 7, 8, 30].map((n) => retryDelayMs(n, 1));
    expect(top).toEqual([5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 600_000, 600_000]);
  });

  it('draws each wait between half and all of its step', () => {
    expect(retryDelayMs(1, 0)).toBe(2_500);
    expect(retryDelayMs(1, 0.5)).toBe(3_750);
    expect(retryDelayMs(30, 0)).toBe(300_000);
    for (let i = 0; i < 100; i++) {
      const wait = retryDelayMs(3, Math.random());
      expect(wait).toBeGreaterThanOrEqual(10_000);
      expect(wait).toBeLessThanOrEqual(20_000);
    }
  });

  it('reads Retry-After as seconds or an HTTP date, 30 s when absent', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(retryAfterMs('12', now)).toBe(12_000);
    expect(retryAfterMs(new Date(now + 90_000).toUTCString(), now)).toBe(90_000);
    expect(retryAfterMs(undefined, now)).toBe(30_000);
    expect(retryAfterMs('soon', now)).toBe(30_000);
  });
});

describe('host globs', () => {
  it.each([
    ['web-*', 'web-1', true],
    ['web-*', 'db-web-1', false],
    ['web-?', 'web-12', false],
    ['*.example.com', 'a.example.com', true],
    ['*.example.com', 'aXexample.com', false],
    ['db[1]', 'db[1]', true],
  ])('%s on %s is %s', (glob, host, expected) => {
    expect(globToRegExp(glob).test(host)).toBe(expected);
  });
});

describe('summary templates', () => {
  const fields = { rule: 'disk', metric: 'filesystem_used_percent', host: 'db-1', value: 91.23456, severity: 'high' as const, labels: { mount: '/srv' } };

  it('fills host, value, rule, severity and labels; a missing label renders empty', () => {
    expect(renderSummary('{{rule}}: {{labels.mount}} at {{value}}% on {{host}} ({{severity}}){{labels.nope}}', fields)).toBe('disk: /srv at 91.23% on db-1 (high)');
    expect(renderSummary(undefined, fields)).toBe('filesystem_used_percent is 91.23 on db-1');
  });

  it('formats values for people', () => {
    expect([96.53333, 1024, 0.0051234, 123.456, -2.5].map(formatValue)).toEqual(['96.53', '1024', '0.0051', '123.5', '-2.5']);
  });
});
