import { describe, expect, it } from 'vitest';
import { activeIncidents, incidentOf, INCIDENT_DURATION_MS } from './incidents.js';

const DAY = 86_400_000;
const START = Date.UTC(2026, 10, 1);

describe('incidents', () => {
  it('come at about the asked rate, of every kind, the same for the same seed', () => {
    const options = { seed: 9, perHostPerDay: 1 };
    const drawn = [];
    for (let host = 0; host < 50; host++) {
      for (let window = 0; window < 4 * 20; window++) {
        const incident = incidentOf(options, host, Math.floor(START / (DAY / 4)) + window);
        if (incident) drawn.push(incident);
      }
    }
    // 50 hosts × 20 days at 1 a day: 1,000 expected.
    expect(drawn.length).toBeGreaterThan(850);
    expect(drawn.length).toBeLessThan(1150);
    expect(new Set(drawn.map((i) => i.kind))).toEqual(new Set(['disk_fill', 'backup_stale', 'check_failing']));
    expect(incidentOf(options, 3, 100)).toEqual(incidentOf({ ...options }, 3, 100));
  });

  it('are active from their start to their end, also past the window they were drawn in', () => {
    const options = { seed: 1, perHostPerDay: 4 };
    const window = Math.floor(START / (DAY / 4));
    let found;
    for (let host = 0; found === undefined; host++) {
      const incident = incidentOf(options, host, window);
      if (incident?.kind === 'backup_stale') found = { host, incident };
    }
    const { host, incident } = found;
    const has = (t: number) => activeIncidents(options, host, t).some((i) => i.startMs === incident.startMs);
    expect(incident.endMs - incident.startMs).toBe(INCIDENT_DURATION_MS.backup_stale);
    expect(has(incident.startMs - 1)).toBe(false);
    expect(has(incident.startMs)).toBe(true);
    expect(has(incident.startMs + 30 * 3_600_000)).toBe(true);
    expect(has(incident.endMs)).toBe(false);
  });

  it('never happen at rate 0', () => {
    for (let t = START; t < START + 10 * DAY; t += 3_600_000) {
      expect(activeIncidents({ seed: 5, perHostPerDay: 0 }, 1, t)).toEqual([]);
    }
  });
});
