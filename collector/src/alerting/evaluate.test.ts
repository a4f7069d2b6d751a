import { describe, expect, it } from 'vitest';
import type { AlertRecord } from './alert-record.js';
import { compileRule } from './compiled-rule.js';
import { evaluate, type Decision } from './evaluate.js';
import type { RuleConfig } from './rule-config.js';

const cpuHigh: RuleConfig = {
  name: 'cpu-high',
  metric: 'cpu_usage_percent',
  match: {},
  thresholds: [
    { severity: 'high', above: 85, forMs: 300_000 },
    { severity: 'critical', above: 95, forMs: 120_000 },
  ],
  clear: { below: 75 },
  notify: ['ops'],
  repeatEveryMs: 3_600_000,
};

/** Feeds [minute, value] points through the state machine, returning each decision. */
function run(config: RuleConfig, points: [number, number][]): (Decision | undefined)[] {
  const rule = compileRule(config);
  let open: AlertRecord | undefined;
  let n = 0;
  return points.map(([minute, value]) => {
    const point = { hostId: 'h1', hostName: 'web-1', labels: {}, labelsKey: '[]', timeMs: minute * 60_000, value };
    const decision = evaluate(rule, open, point, { nowMs: minute * 60_000, newId: () => `a${++n}` });
    if (decision) open = decision.alert.state === 'pending' || decision.alert.state === 'firing' ? decision.alert : undefined;
    return decision;
  });
}

const states = (ds: (Decision | undefined)[]) => ds.map((d) => d && `${d.alert.state}${d.notify ? `:${d.notify}` : ''}`);

describe('alert state machine', () => {
  it('waits for `for` in sample time before firing, then resolves under clear', () => {
    const ds = run(cpuHigh, [[0, 90], [2, 90], [5, 90], [6, 70]]);
    expect(states(ds)).toEqual(['pending', 'pending', 'firing:firing', 'resolved:resolved']);
    expect(ds[2]?.alert.severity).toBe('high');
    expect(ds[2]?.transition).toMatchObject({ from: 'pending', to: 'firing', sampleMs: 300_000 });
  });

  it('drops a pending alert whose condition went away, without a notification', () => {
    const ds = run(cpuHigh, [[0, 90], [2, 50], [3, 90]]);
    expect(states(ds)).toEqual(['pending', 'inactive', 'pending']);
    expect(ds[2]?.alert.id).not.toBe(ds[0]?.alert.id);
  });

  it('does not flap while the value moves between clear and threshold (hysteresis)', () => {
    const ds = run(cpuHigh, [[0, 90], [5, 90], [6, 80], [7, 88], [8, 76], [9, 86], [10, 74]]);
    expect(states(ds)).toEqual(['pending', 'firing:firing', 'firing', 'firing', 'firing', 'firing', 'resolved:resolved']);
    expect(ds.filter((d) => d?.notify)).toHaveLength(2);
  });

  it('resolves as soon as no threshold holds when there is no clear level', () => {
    const ds = run({ ...cpuHigh, clear: undefined }, [[0, 90], [5, 90], [6, 84]]);
    expect(states(ds)).toEqual(['pending', 'firing:firing', 'resolved:resolved']);
  });

  it('escalates to critical once its own `for` has passed, and never de-escalates while firing', () => {
    const ds = run(cpuHigh, [[0, 90], [5, 96], [6, 96], [7, 96], [8, 90]]);
    expect(states(ds)).toEqual(['pending', 'firing:firing', 'firing', 'firing:escalated', 'firing']);
    expect(ds[1]?.alert.severity).toBe('high');
    expect(ds[3]?.alert.severity).toBe('critical');
    expect(ds[4]?.alert.severity).toBe('critical');
  });

  it('fires at once with for: 0, going straight to the highest severity that holds', () => {
    const rule: RuleConfig = { ...cpuHigh, thresholds: cpuHigh.thresholds.map((t) => ({ ...t, forMs: 0 })) };
    const ds = run(rule, [[0, 97]]);
    expect(states(ds)).toEqual(['firing:firing']);
    expect(ds[0]?.alert.severity).toBe('critical');
    expect(ds[0]?.transition?.from).toBeNull();
  });

  it('repeats every repeat_every while firing', () => {
    const rule: RuleConfig = { ...cpuHigh, thresholds: [{ severity: 'high', above: 85, forMs: 0 }] };
    const ds = run(rule, [[0, 90], [30, 90], [60, 90], [61, 90], [120, 90]]);
    expect(states(ds)).toEqual(['firing:firing', 'firing', 'firing:repeat', 'firing', 'firing:repeat']);
  });

  it('works for below: thresholds (low is bad) with clear above', () => {
    const rule: RuleConfig = { ...cpuHigh, thresholds: [{ severity: 'medium', below: 10, forMs: 0 }], clear: { above: 20 } };
    const ds = run(rule, [[0, 5], [1, 15], [2, 25]]);
    expect(states(ds)).toEqual(['firing:firing', 'firing', 'resolved:resolved']);
  });

  it('writes only real changes: a firing alert whose value moves is kept in memory', () => {
    const ds = run(cpuHigh, [[0, 90], [5, 90], [6, 91]]);
    expect(ds[2]?.store).toBe(false);
    expect(ds[2]?.alert.value).toBe(91);
  });
});
