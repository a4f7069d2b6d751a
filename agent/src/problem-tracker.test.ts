import { describe, expect, it } from 'vitest';
import { silentLogger } from '@hostpulse/shared';
import { ProblemTracker } from './problem-tracker.js';
import { memoryLog } from '../test/helpers/memory-log.js';

describe('ProblemTracker', () => {
  it('makes an event when a problem appears and when it clears, not every cycle between', () => {
    const tracker = new ProblemTracker(silentLogger());
    const stalled = { sampler: 'filesystem', source: '/mnt/nfs', message: 'statfs timed out' };
    expect(tracker.update([stalled], 1000)).toEqual([
      { timeMs: 1000, kind: 'sampler_problem', labels: { sampler: 'filesystem', source: '/mnt/nfs' }, message: 'statfs timed out' },
    ]);
    expect(tracker.update([stalled], 2000)).toEqual([]);
    expect(tracker.update([], 3000)).toEqual([
      {
        timeMs: 3000,
        kind: 'sampler_recovered',
        labels: { sampler: 'filesystem', source: '/mnt/nfs' },
        message: 'recovered from: statfs timed out',
      },
    ]);
    expect(tracker.update([], 4000)).toEqual([]);
  });

  it('sends a check that is down as check events with its reason, logged once each way', () => {
    const { log, lines } = memoryLog('info');
    const tracker = new ProblemTracker(log);
    const check = { name: 'db', type: 'postgres' };
    const down = (message: string) => ({ sampler: 'check:db', source: 'check:db', message, check });
    const labels = { check: 'db', type: 'postgres' };

    expect(tracker.update([down('connect ECONNREFUSED 127.0.0.1:5432')], 1000)).toEqual([
      {
        timeMs: 1000,
        kind: 'check_failed',
        labels,
        message: 'connect ECONNREFUSED 127.0.0.1:5432',
      },
    ]);
    expect(tracker.update([down('connect ECONNREFUSED 127.0.0.1:5432')], 2000)).toEqual([]);
    // A new reason while still down is news for the alert that quotes it.
    expect(tracker.update([down('timed out after 2s')], 3000)).toEqual([
      { timeMs: 3000, kind: 'check_failed', labels, message: 'timed out after 2s' },
    ]);
    expect(tracker.update([], 4000)).toEqual([
      {
        timeMs: 4000,
        kind: 'check_recovered',
        labels,
        message: 'recovered from: timed out after 2s',
      },
    ]);

    const said = lines.map((l) => [l.level, l.msg, l.check, l.reason]);
    expect(said).toEqual([
      [40, 'check down', 'db', 'connect ECONNREFUSED 127.0.0.1:5432'],
      [40, 'check down', 'db', 'timed out after 2s'],
      [30, 'check up again', 'db', undefined],
    ]);
  });

  it('keeps a check\'s own trouble (statistics refused) apart from the check being down', () => {
    const tracker = new ProblemTracker(silentLogger());
    const trouble = { sampler: 'check:db', source: 'statistics', message: 'permission denied' };
    expect(tracker.update([trouble], 1000)).toEqual([
      {
        timeMs: 1000,
        kind: 'sampler_problem',
        labels: { sampler: 'check:db', source: 'statistics' },
        message: 'permission denied',
      },
    ]);
  });
});
