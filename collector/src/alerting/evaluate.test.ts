import { describe, expect, it } from 'vitest';
import type { NotificationKind } from '../notifiers/notifier.js';
import type { AlertRecord } from './alert-record.js';
import { compileRule } from './compiled-rule.js';
import { evaluate } from './evaluate.js';
import { settle } from './notify-policy.js';
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

interface Step {
  readonly alert: AlertRecord;
  readonly notify?: NotificationKind | undefined;
  readonly transition?: { from: string | null; to: string; sampleMs: number } | undefined;
  readonly store: boolean;
}

type Tweak = (minute: number, open: AlertRecord | undefined) => Partial<AlertRecord> | undefined;

/**
 * Feeds [minute, value] points through the state machine and the notify policy, as
 * AlertBook.commit() does; `tweak` plays the operator (an ack) before a point.
 */
function run(config: RuleConfig, points: [number, number][], tweak?: Tweak): (Step | undefined)[] {
  const rule = compileRule(config);
  let open: AlertRecord | undefined;
  let n = 0;
  return points.map(([minute, value]) => {
    const timeMs = minute * 60_000;
    const changes = open && tweak?.(minute, open);
    if (open && changes) open = { ...open, ...changes };
    const point = { hostId: 'h1', hostName: 'web-1', labels: {}, labelsKey: '[]', timeMs, value };
    const decision = evaluate(rule, open, point, { nowMs: timeMs, newId: () => `a${++n}` });
    if (!decision) return undefined;
    const silenceId = (tweak?.(minute, undefined)?.silenceId as string | undefined) ?? null;
    const settled = settle({
      before: open,
      after: decision.alert,
      silenceId,
      repeatEveryMs: config.repeatEveryMs,
      atMs: timeMs,
      nowMs: timeMs,
    });
    const open2 = settled.alert;
    open = open2.state === 'pending' || open2.state === 'firing' ? open2 : undefined;
    const store = decision.store || Boolean(settled.notify || settled.transition);
    return { ...settled, store };
  });
}

const states = (ds: (Step | undefined)[]) =>
  ds.map((d) => d && `${d.alert.state}${d.notify ? `:${d.notify}` : ''}`);

describe('alert state machine and notify policy', () => {
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

  it('escalates to critical once its own `for` has passed', () => {
    const ds = run(cpuHigh, [[0, 90], [5, 96], [6, 96], [7, 96], [8, 90]]);
    expect(states(ds)).toEqual(['pending', 'firing:firing', 'firing', 'firing:escalated', 'firing']);
    expect(ds[1]?.alert.severity).toBe('high');
    expect(ds[3]?.alert.severity).toBe('critical');
    expect(ds[4]?.alert.severity).toBe('critical');
  });

  it('de-escalates once the higher threshold has not held for its own `for`', () => {
    const points: [number, number][] = [[0, 90], [5, 90], [6, 97], [8, 97], [9, 90], [10, 90]];
    const ds = run(cpuHigh, [...points, [11, 90], [12, 60]]);
    expect(states(ds)).toEqual([
      'pending',
      'firing:firing',
      'firing',
      'firing:escalated',
      'firing',
      'firing',
      'firing:deescalated',
      'resolved:resolved',
    ]);
    expect(ds.map((d) => d?.alert.severity)).toEqual([
      null, 'high', 'high', 'critical', 'critical', 'critical', 'high', 'high',
    ]);
    expect(ds[6]?.transition).toMatchObject({ from: 'firing', to: 'firing', sampleMs: 660_000 });
  });

  it('does not flip severity while the value hovers around the critical level', () => {
    const hover: [number, number][] = [];
    for (let m = 6; m < 30; m++) hover.push([m, m % 2 === 0 ? 97 : 93]);
    const ds = run(cpuHigh, [[0, 90], [5, 90], ...hover]);
    expect(ds.filter((d) => d?.notify).map((d) => d?.notify)).toEqual(['firing']);
  });

  it('an acknowledgement stops repeats and de-escalations until an escalation', () => {
    const rule: RuleConfig = { ...cpuHigh, clear: undefined };
    const ack: Tweak = (m, open) => (open && m === 66 ? { ackedMs: m, ackedBy: 'ann' } : undefined);
    const points: [number, number][] = [[0, 90], [5, 90], [66, 90], [130, 90], [131, 97]];
    const ds = run(rule, [...points, [133, 97], [134, 90], [137, 90], [140, 60]], ack);
    expect(states(ds)).toEqual([
      'pending',
      'firing:firing',
      'firing',
      'firing',
      'firing',
      'firing:escalated',
      'firing',
      'firing:deescalated',
      'resolved:resolved',
    ]);
    expect(ds[4]?.alert.ackedBy).toBe('ann');
    expect(ds[5]?.alert.ackedMs).toBeNull();
  });

  it('a silence suppresses every notification and the held-back firing goes out after it', () => {
    const silence: Tweak = (m, open) => (!open && m < 10 ? { silenceId: 's1' } : undefined);
    const ds = run(cpuHigh, [[0, 90], [5, 90], [9, 90], [10, 90], [11, 60]], silence);
    expect(states(ds)).toEqual(['pending', 'firing', 'firing', 'firing:firing', 'resolved:resolved']);
    expect(ds[1]?.transition).toMatchObject({ from: 'pending', to: 'suppressed' });
    expect(ds[3]?.transition).toMatchObject({ from: 'suppressed', to: 'firing' });
  });

  it('sends no resolution for an alert nobody was told of', () => {
    const silence: Tweak = (_m, open) => (!open ? { silenceId: 's1' } : undefined);
    const ds = run(cpuHigh, [[0, 90], [5, 90], [6, 60]], silence);
    expect(states(ds)).toEqual(['pending', 'firing', 'resolved']);
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

  it('at its lowest severity, a value between clear and threshold writes once, then nothing', () => {
    const rule: RuleConfig = { ...cpuHigh, thresholds: [{ severity: 'high', above: 85, forMs: 0 }] };
    const ds = run(rule, [[0, 90], [1, 80], [2, 80], [3, 80], [4, 80]]);
    expect(ds.map((d) => d?.store)).toEqual([true, true, false, false, false]);
    expect(ds.map((d) => d?.alert.severity)).toEqual(['high', 'high', 'high', 'high', 'high']);
  });

  it('writes only real changes: a firing alert whose value moves is kept in memory', () => {
    const ds = run(cpuHigh, [[0, 90], [5, 90], [6, 91]]);
    expect(ds[2]?.store).toBe(false);
    expect(ds[2]?.alert.value).toBe(91);
  });
});
