import { describe, expect, it } from 'vitest';
import { silentLogger } from '@hostpulse/shared';
import { ProblemTracker } from './problem-tracker.js';

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
});
