import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAlerting, type AlertingService } from '../src/alerting/create-alerting.js';
import type { RuleConfig } from '../src/alerting/rule-config.js';
import { GROUP_WINDOW_MS } from '../src/alerting/outbox-worker.js';
import { tag } from '../src/notifiers/group-summary.js';
import { createNotifiers } from '../src/notifiers/index.js';
import type { Notifier, OutgoingNotification } from '../src/notifiers/notifier.js';
import type { HostRecord, IngestBatch } from '../src/storage/storage.js';
import {
  batchOf,
  quietLog,
  startSlack,
  type SlackStandIn,
  type TestStore,
} from './alerting-stand-ins.js';

// The alert lifecycle with operators in it, on a real store (SQLite or PostgreSQL) and a real
// Slack stand-in: hysteresis, escalation and de-escalation, replayed backlogs, host-down and
// stopped hosts, check errors, no_data, acknowledgements, silences and reloads. The clock is
// fake: sample times and "now" move together, and tick() is called where a timer would.

const T0 = Date.UTC(2026, 11, 4, 12, 0, 0);
const at = (minutes: number) => T0 + Math.round(minutes * 60_000);

const cpu: RuleConfig = {
  name: 'cpu-high',
  metric: 'cpu_usage_percent',
  match: { host: 'web-*' },
  thresholds: [
    { severity: 'high', above: 85, forMs: 5 * 60_000 },
    { severity: 'critical', above: 95, forMs: 2 * 60_000 },
  ],
  clear: { below: 75 },
  notify: ['ops-slack'],
  summary: 'CPU at {{value}}% on {{host}}',
};

export function alertLifecycleSuite(kind: string, openStore: () => Promise<TestStore>): void {
  describe(`alert lifecycle on ${kind}`, () => {
    let slack: SlackStandIn;
    let db: TestStore;
    let clock: number;
    let service: AlertingService | undefined;

    beforeAll(async () => {
      slack = await startSlack();
    });
    afterAll(() => slack?.close());
    beforeEach(async () => {
      slack.messages.length = 0;
      sent = [];
      clock = at(0);
      db = await openStore();
    });
    afterEach(async () => {
      await service?.stop();
      service = undefined;
      await db.close();
    });

    /** Every notification, also those the outbox combined into one Slack message. */
    let sent: OutgoingNotification[] = [];

    /** The real Slack notifier, with each notification of a group written down first. */
    function recording(notifier: Notifier): Notifier {
      return {
        name: notifier.name,
        type: notifier.type,
        close: () => notifier.close(),
        send: (group, signal) => {
          sent.push(...group);
          return notifier.send(group, signal);
        },
      };
    }

    function slackNotifiers(): Map<string, Notifier> {
      const real = createNotifiers(
        [{ name: 'ops-slack', type: 'slack', webhookUrl: slack.url }],
        quietLog,
      );
      return new Map([...real].map(([name, n]) => [name, recording(n)]));
    }

    function alerting(rules: RuleConfig[] = [cpu], hosts?: () => Promise<HostRecord[]>) {
      const notifiers = slackNotifiers();
      const options = { rules, notifiers, store: db.store, log: quietLog, now: () => clock };
      service = createAlerting({ ...options, hostDownAfterMs: 60_000, tickMs: 0, hosts });
      service.start();
      return service;
    }

    const host = (id: string, lastSeenMs: number, state: 'up' | 'stopped' = 'up') =>
      ({ id, name: id, labels: {}, lastSeenMs, state }) as unknown as HostRecord;

    const texts = () => sent.map((n) => `${tag(n)} ${n.rule} on ${n.hostName}`);

    async function send(a: AlertingService, batch: IngestBatch): Promise<void> {
      a.observe(batch);
      await a.idle();
    }

    /** One cpu point at minute m, received at that minute. */
    async function feed(a: AlertingService, m: number, value: number, host = 'web-1') {
      clock = at(m);
      await send(a, batchOf({ host, agentId: `agent-${host}`, points: [[at(m), value]], receivedMs: clock }));
    }

    async function tickAt(a: AlertingService, m: number): Promise<void> {
      clock = at(m);
      await a.tick();
      await a.idle();
    }

    it('a value oscillating around the threshold for 10 minutes fires once and resolves once', async () => {
      const rule: RuleConfig = { ...cpu, thresholds: [{ severity: 'high', above: 85, forMs: 60_000 }] };
      const a = alerting([rule]);
      await feed(a, 0, 90);
      for (let s = 60; s <= 660; s += 10) await feed(a, s / 60, s % 20 === 0 ? 86 : 84);
      await feed(a, 11.5, 70);
      expect(texts()).toEqual(['[FIRING high] cpu-high on web-1', '[RESOLVED] cpu-high on web-1']);
      const [alert] = await db.store.listAlerts();
      const history = await db.store.history(alert!.id);
      expect(history.transitions.map((t) => t.to)).toEqual(['pending', 'firing', 'resolved']);
    });

    it('escalation high → critical → high → resolved sends exactly the documented messages', async () => {
      const a = alerting();
      for (const [m, v] of [[0, 90], [5, 90], [6, 97], [8, 97], [9, 90], [11, 90], [12, 70]]) {
        await feed(a, m as number, v as number);
      }
      expect(texts()).toEqual([
        '[FIRING high] cpu-high on web-1',
        '[ESCALATED critical] cpu-high on web-1',
        '[DE-ESCALATED high] cpu-high on web-1',
        '[RESOLVED] cpu-high on web-1',
      ]);
      const [alert] = await db.store.listAlerts();
      const history = await db.store.history(alert!.id);
      const moves = history.transitions.map((t) => `${t.from}>${t.to}:${t.severity}`);
      expect(moves).toEqual([
        'null>pending:null',
        'pending>firing:high',
        'firing>firing:critical',
        'firing>firing:high',
        'firing>resolved:high',
      ]);
      expect(history.outbox.map((o) => o.kind)).toEqual(['firing', 'escalated', 'deescalated', 'resolved']);
    });

    it('a 2-hour backlog replayed fires nothing for the past; the newest data decides', async () => {
      const a = alerting();
      for (let m = 0; m <= 5; m++) await feed(a, m, 50);
      await tickAt(a, 125);
      expect(texts()).toEqual(['[FIRING critical] host-down on web-1']);

      // The agent sends its backlog oldest first: a breach between minutes 10 and 60 that is
      // long over, calm until 118, then high again in the last minutes.
      for (let m = 6; m <= 125; m++) {
        const value = (m >= 10 && m <= 60) || m >= 118 ? 99 : 50;
        const batch = batchOf({ agentId: 'agent-web-1', points: [[at(m), value]], receivedMs: clock });
        await send(a, batch);
      }
      // What became due together waits out the outbox's grouping window, then goes as one
      // message; within it, order follows sample time, and both were written at one instant.
      clock += GROUP_WINDOW_MS;
      await a.idle();
      expect(texts()[0]).toBe('[FIRING critical] host-down on web-1');
      expect(texts().slice(1).sort()).toEqual([
        '[FIRING critical] cpu-high on web-1',
        '[RESOLVED] host-down on web-1',
      ]);
      const firing = a.openAlerts().find((x) => x.rule === 'cpu-high')!;
      expect(firing.startedMs).toBeGreaterThanOrEqual(at(120));
      expect(firing.lastSampleMs).toBe(at(125));
      const stored = await db.store.listAlerts();
      expect(stored.filter((x) => x.rule === 'cpu-high')).toHaveLength(1);
    });

    it('after a gap in the data, `for` starts again: it never counts time nobody saw', async () => {
      const a = alerting();
      await feed(a, 0, 90);
      await feed(a, 4, 90);
      await feed(a, 130, 90);
      expect(a.openAlerts()[0]).toMatchObject({ state: 'pending' });
      await feed(a, 134, 90);
      expect(slack.messages).toHaveLength(0);
      await feed(a, 135, 90);
      expect(texts()).toEqual(['[FIRING high] cpu-high on web-1']);
    });

    it('ignores a point from the future, so later points still count', async () => {
      const a = alerting([{ ...cpu, thresholds: [{ severity: 'high', above: 85, forMs: 0 }] }]);
      clock = at(0);
      await send(a, batchOf({ points: [[at(600), 99]], receivedMs: clock }));
      expect(a.openAlerts()).toHaveLength(0);
      await feed(a, 1, 99);
      expect(texts()).toEqual(['[FIRING high] cpu-high on web-1']);
    });

    it('an acknowledgement stops repeats until the alert escalates', async () => {
      const a = alerting([{ ...cpu, repeatEveryMs: 30 * 60_000 }]);
      await feed(a, 0, 90);
      await feed(a, 5, 90);
      const id = a.openAlerts()[0]!.id;
      await feed(a, 40, 90);
      expect(texts()).toEqual(['[FIRING high] cpu-high on web-1', '[STILL FIRING high] cpu-high on web-1']);

      const acked = await a.operator.acknowledge(id, 'alice', 'looking at it');
      expect(acked).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'alice' });
      for (let m = 45; m <= 180; m += 15) await feed(a, m, 90);
      expect(slack.messages).toHaveLength(2);

      await feed(a, 181, 97);
      await feed(a, 183, 97);
      expect(texts()[2]).toBe('[ESCALATED critical] cpu-high on web-1');
      expect(a.openAlerts()[0]).toMatchObject({ ackedMs: null });

      const detail = await a.operator.getAlert(id);
      expect(detail.history.acknowledgements).toEqual([
        { alertId: id, timeMs: at(40), author: 'alice', comment: 'looking at it' },
      ]);
      const moves = detail.history.transitions.map((t) => [t.from, t.to, t.note]);
      expect(moves).toContainEqual(['firing', 'acknowledged', 'acknowledged by alice: looking at it']);
      expect(moves).toContainEqual(['acknowledged', 'firing', null]);
    });

    it('a silence suppresses matching alerts, records it, and lets them speak when it ends', async () => {
      const a = alerting();
      const silence = await a.operator.createSilence(
        { matchers: { host: 'web-*', rule: 'cpu-*' }, startsMs: at(0), endsMs: at(30), comment: 'deploy' },
        'bob',
      );
      await feed(a, 0, 90);
      await feed(a, 5, 90);
      await feed(a, 0, 90, 'web-2');
      expect(slack.messages).toHaveLength(0);
      const [alert] = await a.operator.listAlerts('suppressed');
      expect(alert).toMatchObject({ rule: 'cpu-high', silenceId: silence.id, host: { name: 'web-1' } });

      await a.operator.expireSilence(silence.id, 'bob');
      await a.idle();
      expect(texts()).toEqual(['[FIRING high] cpu-high on web-1']);
      const history = await db.store.history(alert!.id);
      expect(history.transitions.map((t) => [t.from, t.to, t.note])).toEqual([
        [null, 'pending', null],
        ['pending', 'suppressed', `silence ${silence.id}`],
        ['suppressed', 'firing', null],
      ]);
      const [stored] = await a.operator.listSilences({ includeEnded: true });
      expect(stored).toMatchObject({ id: silence.id, author: 'bob', expiredBy: 'bob', comment: 'deploy' });
    });

    it('a silence that ends by its time is applied and lifted by the tick', async () => {
      const a = alerting();
      await a.operator.createSilence(
        { matchers: { host: 'web-1' }, startsMs: at(1), endsMs: at(10), comment: 'maintenance' },
        'bob',
      );
      await feed(a, 0, 99);
      await feed(a, 3, 99);
      await feed(a, 9.5, 99);
      expect(slack.messages).toHaveLength(0);
      await tickAt(a, 10);
      expect(texts()).toEqual(['[FIRING critical] cpu-high on web-1']);
    });

    it('host-down fires after host_down_after of silence and resolves when data returns', async () => {
      const a = alerting();
      await feed(a, 0, 50);
      await tickAt(a, 0.5);
      expect(slack.messages).toHaveLength(0);
      await tickAt(a, 1.5);
      expect(texts()).toEqual(['[FIRING critical] host-down on web-1']);
      expect(slack.messages[0].text).toContain('web-1 sent no data for 90 s');
      await tickAt(a, 5);
      expect(slack.messages).toHaveLength(1);
      await feed(a, 6, 50);
      expect(texts()).toEqual(['[FIRING critical] host-down on web-1', '[RESOLVED] host-down on web-1']);
      expect(slack.messages[1].text).toContain('web-1 sent no data for 360 s');
    });

    it('at start, known hosts get host_down_after from then; hosts silent a day are retired', async () => {
      clock = at(24 * 60 + 30);
      const known = [host('recent', at(24 * 60)), host('gone', at(0)), host('off', clock, 'stopped')];
      const a = alerting([cpu], async () => known);
      await tickAt(a, 24 * 60 + 30.5);
      expect(slack.messages).toHaveLength(0);
      await tickAt(a, 24 * 60 + 32);
      expect(texts()).toEqual(['[FIRING critical] host-down on recent']);
    });

    it('after a restart, a host still down stays firing and resolves once when it sends', async () => {
      const known = async () => [{ ...host('agent-web-1', at(0)), name: 'web-1' }];
      const first = alerting([cpu], known);
      await feed(first, 0, 50);
      await tickAt(first, 1.5);
      const id = first.openAlerts()[0]!.id;
      await first.stop();
      clock = at(10);
      const again = alerting([cpu], known);
      await tickAt(again, 10 + 5 / 60);
      await tickAt(again, 12);
      expect(again.openAlerts().map((x) => [x.id, x.state])).toEqual([[id, 'firing']]);
      await feed(again, 13, 50);
      expect(again.openAlerts()).toHaveLength(0);
      expect(texts()).toEqual(['[FIRING critical] host-down on web-1', '[RESOLVED] host-down on web-1']);
      expect(slack.messages.at(-1)!.text).toContain('web-1 sent no data for 780 s');
    });

    it('an alert that fired with no notifier is never resolved alone to one added later', async () => {
      const a = alerting([cpu], async () => []);
      await a.reload([cpu], new Map());
      await feed(a, 0, 50);
      await tickAt(a, 1.5);
      expect(a.openAlerts().map((x) => x.state)).toEqual(['firing']);
      await a.reload([cpu], slackNotifiers());
      await feed(a, 2, 50);
      expect(slack.messages).toHaveLength(0);
    });

    it('a host that said goodbye is stopped, not down: nobody is paged', async () => {
      const a = alerting();
      await feed(a, 0, 50);
      clock = at(1);
      await send(a, { ...batchOf({ points: [[at(1), 50]], receivedMs: clock }), stopping: true });
      await tickAt(a, 30);
      expect(slack.messages).toHaveLength(0);
      expect(a.openAlerts()).toHaveLength(0);
    });

    it("a failing check's alert carries the check's error text", async () => {
      const rule: RuleConfig = {
        ...cpu,
        name: 'check-down',
        metric: 'check_up',
        match: {},
        thresholds: [{ severity: 'high', below: 1, forMs: 0 }],
        clear: undefined,
        summary: 'check {{labels.check}} is down on {{host}}',
      };
      const a = alerting([rule]);
      const labels = { check: 'api', type: 'http' };
      const batch = batchOf({ metric: 'check_up', labels, points: [[at(0), 0]], receivedMs: clock });
      const event = { timeMs: at(0), kind: 'check_down', labels, message: 'connect ECONNREFUSED' };
      await send(a, { ...batch, events: [event] });
      expect(slack.messages[0].text).toBe(
        '[FIRING high] check-down on web-1: check api is down on web-1: connect ECONNREFUSED',
      );
      clock = at(1);
      await send(a, batchOf({ metric: 'check_up', labels, points: [[at(1), 1]], receivedMs: clock }));
      expect(texts()[1]).toBe('[RESOLVED] check-down on web-1');
    });

    it('no_data: ok resolves and no_data: alert fires when a series stops but its host sends', async () => {
      const ok: RuleConfig = { ...cpu, thresholds: [{ severity: 'high', above: 85, forMs: 0 }] };
      const alert: RuleConfig = { ...ok, name: 'disk-gone', metric: 'filesystem_used_percent', noData: 'alert' };
      const a = alerting([ok, alert]);
      const disk = (m: number) =>
        batchOf({ metric: 'filesystem_used_percent', labels: { mount: '/srv' }, points: [[at(m), 40]], receivedMs: clock });
      await feed(a, 0, 99);
      await send(a, disk(0));
      expect(texts()).toEqual(['[FIRING high] cpu-high on web-1']);
      for (let m = 1; m <= 3; m++) {
        clock = at(m);
        await send(a, batchOf({ metric: 'load_1m', points: [[at(m), 1]], receivedMs: clock }));
        await tickAt(a, m);
      }
      expect(texts()).toEqual([
        '[FIRING high] cpu-high on web-1',
        '[RESOLVED] cpu-high on web-1',
        '[FIRING high] disk-gone on web-1',
      ]);
      expect(sent[2]!.summary).toContain(`no data since ${new Date(at(0)).toISOString()}`);
    });

    it('a reload keeps open alerts of the rules that stay and ends those of removed ones', async () => {
      const a = alerting();
      await feed(a, 0, 99);
      await feed(a, 3, 99);
      const id = a.openAlerts()[0]!.id;
      await a.reload([{ ...cpu, summary: 'now {{value}}' }], slackNotifiers());
      expect(a.openAlerts().map((x) => x.id)).toEqual([id]);
      await feed(a, 4, 60);
      expect(texts()).toEqual(['[FIRING critical] cpu-high on web-1', '[RESOLVED] cpu-high on web-1']);

      await feed(a, 10, 99);
      await feed(a, 13, 99);
      await a.reload([], new Map());
      expect(a.openAlerts()).toHaveLength(0);
      expect(slack.messages).toHaveLength(3);
      const rules = a.operator.rules().map((r) => r.name);
      expect(rules).toEqual(['host-down']);
    });
  });
}
