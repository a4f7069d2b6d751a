import { describe, expect, it } from 'vitest';
import type { AlertRecord, SilenceRecord } from './alert-record.js';
import { compileRule } from './compiled-rule.js';
import { compileSilence, findSilence, isActive, silenceMatches } from './silence-match.js';

const alert = {
  rule: 'disk-full',
  hostName: 'db-2',
  labels: { mount: '/srv/data', env: 'prod' },
} as unknown as AlertRecord;

function silence(matchers: Record<string, string>, extra: Partial<SilenceRecord> = {}) {
  return {
    id: 's1',
    matchers,
    startsMs: 100,
    endsMs: 200,
    author: 'ann',
    comment: 'x',
    createdMs: 0,
    expiredMs: null,
    expiredBy: null,
    ...extra,
  } satisfies SilenceRecord;
}

describe('silence matching', () => {
  it.each([
    [{ host: 'db-*' }, true],
    [{ host: 'db-*', rule: 'disk-*' }, true],
    [{ mount: '/srv/*' }, true],
    [{ env: 'prod', rule: 'cpu-*' }, false],
    [{ role: '*' }, false],
    [{ host: 'db-?' }, true],
    [{ host: 'db' }, false],
  ])('%o matches: %s', (matchers, expected) => {
    expect(silenceMatches(silence(matchers), alert)).toBe(expected);
  });

  it('is active from its start, included, to its end, excluded, unless expired', () => {
    expect([99, 100, 199, 200].map((t) => isActive(silence({}), t))).toEqual([false, true, true, false]);
    expect(isActive(silence({}, { expiredMs: 150 }), 120)).toBe(false);
  });

  it('picks the matching silence that ends last', () => {
    const found = findSilence(
      [silence({ host: 'db-*' }), silence({ rule: 'disk-full' }, { id: 's2', endsMs: 300 })].map(
        compileSilence,
      ),
      alert,
      150,
    );
    expect(found?.id).toBe('s2');
  });
});

describe('rule label matchers', () => {
  it('take globs, and a series without the label does not match', () => {
    const rule = compileRule({
      name: 'r',
      metric: 'filesystem_used_percent',
      match: { host: 'db-*', mount: '/srv/*' },
      thresholds: [{ severity: 'high', above: 90, forMs: 0 }],
      notify: [],
    });
    expect(rule.matches('db-1', { mount: '/srv/data' })).toBe(true);
    expect(rule.matches('db-1', { mount: '/' })).toBe(false);
    expect(rule.matches('db-1', {})).toBe(false);
    expect(rule.matches('web-1', { mount: '/srv/data' })).toBe(false);
  });
});
