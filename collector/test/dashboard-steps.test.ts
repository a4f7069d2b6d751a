import { describe, expect, it } from 'vitest';
import { parseDuration } from '@hostpulse/shared';

// The steps the dashboard asks /api/v1/query for. The API refuses a step longer than the range
// (to − from), so each must fit the range it is sent with, and the host view's stepMs, which
// its charts use to break lines, must be the step it sends.

const hostView = await import(`${'../dashboard/host-view.js'}`);
const fleet = await import(`${'../dashboard/fleet.js'}`);

interface Range {
  readonly ms: number;
  readonly step: string;
  readonly stepMs: number;
}

describe('dashboard query steps', () => {
  it.each(Object.entries(hostView.RANGES as Record<string, Range>))(
    'host view %s: the step fits the range and matches stepMs',
    (_name, range) => {
      expect(parseDuration(range.step)).toBe(range.stepMs);
      expect(range.stepMs).toBeLessThanOrEqual(range.ms);
    },
  );

  it.each([1_764_000_000_000, 1_764_000_000_000.7])(
    'fleet figures at %d: the step fits the range sent, both ends given',
    (nowMs) => {
      const query = fleet.recentQuery('cpu_usage_percent', nowMs);
      expect(Number.isInteger(query.from) && Number.isInteger(query.to)).toBe(true);
      expect(query.to).toBe(Math.floor(nowMs));
      expect(parseDuration(query.step)).toBeLessThanOrEqual(query.to - query.from);
      expect(query).toMatchObject({ metric: 'cpu_usage_percent', agg: 'last' });
    },
  );
});
