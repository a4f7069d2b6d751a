import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAlerting, type AlertingService } from '../src/alerting/create-alerting.js';
import type { RuleConfig } from '../src/alerting/rule-config.js';
import type { AlertStore } from '../src/alerting/store/alert-store.js';
import { createNotifiers } from '../src/notifiers/index.js';
import { batchOf, quietLog, startSlack, startSmtp, type SlackStandIn, type SmtpStandIn, type TestStore } from './alerting-stand-ins.js';

// The alerting path end to end inside one process: rules, the state machine, the store (real
// SQLite or PostgreSQL), the outbox and real Slack and SMTP stand-ins. The clock is fake: sample
// times and "now" move together in minutes, so `for:` and backoff need no waiting.

const T0 = Date.UTC(2026, 11, 4, 12, 0, 0);
const minute = (m: number) => T0 + m * 60_000;

const cpuHigh: RuleConfig = {
  name: 'cpu-high',
  metric: 'cpu_usage_percent',
  match: { host: 'web-*', env: 'prod' },
  thresholds: [
    { severity: 'high', above: 85, forMs: 5 * 60_000 },
    { severity: 'critical', above: 95, forMs: 2 * 60_000 },
  ],
  clear: { below: 75 },
  notify: ['ops-slack', 'oncall'],
  summary: 'CPU at {{value}}% on {{host}} ({{labels.env}})',
};

export function alertingSuite(kind: string, openStore: () => Promise<TestStore>): void {
  describe(`alerting on ${kind}`, () => {
    let slack: SlackStandIn;
    let smtp: SmtpStandIn;
    let db: TestStore;
    let clock: number;
    const running: AlertingService[] = [];

    beforeAll(async () => {
      slack = await startSlack();
      smtp = await startSmtp();
    });
    afterAll(async () => {
      await slack?.close();
      await smtp?.close();
    });
    beforeEach(async () => {
      slack.messages.length = 0;
      smtp.mails.length = 0;
      clock = minute(0);
      db = await openStore();
    });
    afterEach(async () => {
      for (const a of running.splice(0)) await a.stop();
      await db.close();
    });

    function alerting(store: AlertStore = db.store, rules: RuleConfig[] = [cpuHigh]): AlertingService {
      const notifiers = createNotifiers(
        [
          { name: 'ops-slack', type: 'slack', webhookUrl: slack.url },
          { name: 'oncall', type: 'email', smtpUrl: smtp.url, from: 'hostpulse@example.com', to: ['ops@example.com'] },
        ],
        quietLog,
      );
      const service = createAlerting({ rules, notifiers, store, log: quietLog, now: () => clock, publicUrl: 'https://hp.example.com' });
      running.push(service);
      return service;
    }

    /** One point at minute m, observed at that same minute. */
    async function feed(a: AlertingService, m: number, value: number, extra: { host?: string } = {}): Promise<void> {
      clock = minute(m);
      a.observe(batchOf({ points: [[minute(m), value]], receivedMs: clock, ...extra }));
      await a.idle();
    }

    it('fires after `for`, sends Slack and email with the facts, then the resolution', async () => {
      const a = alerting();
      await feed(a, 0, 90);
      await feed(a, 3, 91);
      expect(slack.messages).toHaveLength(0);
      expect(a.openAlerts()[0]?.state).toBe('pending');

      await feed(a, 5, 92.456);
      expect(slack.messages).toHaveLength(1);
      expect(smtp.mails).toHaveLength(1);
      const body = JSON.stringify(slack.messages[0]);
      for (const fact of ['cpu-high', 'web-1', 'high', '92.46', 'CPU at 92.46% on web-1 (prod)']) expect(body).toContain(fact);
      expect(slack.messages[0].text).toBe('[FIRING high] cpu-high on web-1: CPU at 92.46% on web-1 (prod)');
      const mail = smtp.mails[0]!.mail;
      expect(mail.subject).toBe('[FIRING high] cpu-high on web-1');
      expect(mail.text).toContain('CPU at 92.46% on web-1 (prod)');
      expect(mail.html).toContain('<td>92.46</td>');
      expect(mail.text).toContain(`https://hp.example.com/alerts/${a.openAlerts()[0]!.id}`);

      await feed(a, 6, 60);
      expect(slack.messages).toHaveLength(2);
      expect(slack.messages[1].text).toMatch(/^\[RESOLVED\] cpu-high on web-1/);
      expect(JSON.stringify(slack.messages[1].blocks[0])).toContain('RESOLVED');
      expect(smtp.mails[1]!.mail.subject).toBe('[RESOLVED] cpu-high on web-1');
      expect(a.openAlerts()).toHaveLength(0);
    });

    it('does not flap while the value oscillates between clear and threshold', async () => {
      const a = alerting();
      await feed(a, 0, 90);
      await feed(a, 5, 90);
      for (let m = 6; m < 30; m++) await feed(a, m, m % 2 === 0 ? 80 : 88);
      expect(slack.messages).toHaveLength(1);
      expect(smtp.mails).toHaveLength(1);
      expect(a.openAlerts()[0]?.state).toBe('firing');
    });

    it('respects `for`: a breach shorter than `for` notifies nobody', async () => {
      const a = alerting();
      await feed(a, 0, 90);
      await feed(a, 4, 90);
      await feed(a, 4.5, 70);
      await feed(a, 5, 90);
      await feed(a, 9, 90);
      expect(slack.messages).toHaveLength(0);
      await feed(a, 10, 90);
      expect(slack.messages).toHaveLength(1);
    });

    it('ignores hosts and labels the rule does not match', async () => {
      const a = alerting();
      await feed(a, 0, 99, { host: 'db-1' });
      a.observe(batchOf({ points: [[minute(0), 99]], receivedMs: clock, labels: { env: 'staging' } }));
      await a.idle();
      expect(a.openAlerts()).toHaveLength(0);
    });

    it('keeps state across a restart and delivers stored notifications exactly once', async () => {
      const first = alerting();
      // Never started: the state changes and the outbox rows are stored, nothing is sent.
      first.observe(batchOf({ points: [[minute(0), 97]], receivedMs: minute(0) }));
      clock = minute(3);
      first.observe(batchOf({ points: [[minute(3), 97]], receivedMs: minute(3) }));
      await first.stop();
      expect(slack.messages).toHaveLength(0);

      const second = alerting(db.reopen());
      second.start();
      await second.idle();
      expect(slack.messages).toHaveLength(1);
      expect(smtp.mails).toHaveLength(1);
      expect(slack.messages[0].text).toMatch(/^\[FIRING critical\]/);
      expect(second.openAlerts()[0]).toMatchObject({ state: 'firing', severity: 'critical' });

      await feed(second, 4, 80);
      await second.idle();
      expect(slack.messages).toHaveLength(1);
      await feed(second, 5, 70);
      expect(slack.messages).toHaveLength(2);
      expect(slack.messages[1].text).toMatch(/^\[RESOLVED\]/);
      expect(smtp.mails).toHaveLength(2);
    });

    it('ends, without notifying, an open alert whose rule was removed before a restart', async () => {
      const first = alerting();
      await feed(first, 0, 99);
      await feed(first, 3, 99);
      const id = first.openAlerts()[0]!.id;
      await first.stop();

      const other: RuleConfig = { ...cpuHigh, name: 'load-high', metric: 'load_1m' };
      const second = alerting(db.reopen(), [other]);
      await second.idle();
      expect(second.openAlerts()).toHaveLength(0);
      const stored = await db.store.getAlert(id);
      expect(stored).toMatchObject({ state: 'resolved', endedMs: minute(3) });
      const history = await db.store.history(id);
      expect(history.transitions.map((t) => t.to)).toEqual(['pending', 'firing', 'resolved']);
      expect(history.outbox.map((o) => o.kind)).toEqual(['firing', 'firing']);
    });

    it('does not fire for the past when a backlog of old points arrives', async () => {
      const a = alerting();
      clock = minute(120);
      for (let m = 0; m < 30; m++) a.observe(batchOf({ points: [[minute(m), 99]], receivedMs: clock }));
      await a.idle();
      expect(a.openAlerts()).toHaveLength(0);
      expect(slack.messages).toHaveLength(0);
    });

    it('never moves an alert backwards when an older point arrives late', async () => {
      const a = alerting();
      await feed(a, 0, 99);
      await feed(a, 3, 99);
      expect(slack.messages).toHaveLength(1);
      clock = minute(4);
      a.observe(batchOf({ points: [[minute(1), 10]], receivedMs: clock }));
      await a.idle();
      expect(a.openAlerts()[0]?.state).toBe('firing');
      expect(slack.messages).toHaveLength(1);
    });

    it('honours a Slack 429 with Retry-After and records every attempt', async () => {
      const a = alerting();
      a.start();
      slack.rateLimitNext(1, 30);
      await feed(a, 0, 99);
      await feed(a, 3, 99);
      expect(slack.messages).toHaveLength(0);
      expect(smtp.mails).toHaveLength(1);

      clock = minute(3) + 29_000;
      await a.idle();
      expect(slack.messages).toHaveLength(0);
      clock = minute(3) + 30_000;
      await a.idle();
      expect(slack.messages).toHaveLength(1);

      const alert = a.openAlerts()[0]!;
      const history = await db.store.history(alert.id);
      const slackRow = history.outbox.find((o) => o.notifier === 'ops-slack')!;
      expect(slackRow).toMatchObject({ state: 'sent', attempts: 2 });
      const attempts = history.attempts.filter((x) => x.outboxId === slackRow.id);
      expect(attempts.map((x) => [x.outcome, x.status])).toEqual([['rate_limited', 429], ['sent', 200]]);
      expect(history.transitions.map((t) => [t.from, t.to])).toEqual([[null, 'pending'], ['pending', 'firing']]);
    });

    it('retries a failed delivery with backoff until the notifier answers', async () => {
      const a = alerting(db.store, [{ ...cpuHigh, notify: ['ops-slack'] }]);
      const url = slack.url;
      await slack.close();
      await feed(a, 0, 99);
      await feed(a, 3, 99);
      const alert = a.openAlerts()[0]!;
      let history = await db.store.history(alert.id);
      expect(history.attempts.map((x) => x.outcome)).toEqual(['failed']);
      // The first retry waits between 2.5 s and 5 s (backoff with jitter).
      expect(history.outbox[0]).toMatchObject({ state: 'pending', attempts: 1 });
      expect(history.outbox[0]!.dueMs).toBeGreaterThanOrEqual(minute(3) + 2_500);
      expect(history.outbox[0]!.dueMs).toBeLessThanOrEqual(minute(3) + 5_000);
      expect(history.outbox[0]!.lastError).not.toContain('secret-path');

      slack = await startSlack(Number(new URL(url).port));
      clock = minute(3) + 5_000;
      await a.idle();
      history = await db.store.history(alert.id);
      expect(history.outbox[0]).toMatchObject({ state: 'sent', attempts: 2 });
      expect(slack.messages).toHaveLength(1);
    });
  });
}
