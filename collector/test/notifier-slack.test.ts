import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackNotifier } from '../src/notifiers/slack.js';
import type { OutgoingNotification } from '../src/notifiers/notifier.js';
import { quietLog, startSlack, type SlackStandIn } from './alerting-stand-ins.js';

// The Slack notifier against a real HTTP server standing in for an incoming webhook.

const base: OutgoingNotification = {
  id: 'n1',
  kind: 'firing',
  alertId: 'a1',
  rule: 'disk-full',
  metric: 'filesystem_used_percent',
  hostId: 'h1',
  hostName: 'db-1',
  labels: { mount: '/srv', env: 'prod' },
  severity: 'critical',
  value: 97.5,
  summary: 'disk /srv at 97.5% on db-1',
  sinceMs: Date.UTC(2026, 11, 4, 12, 0, 0),
  atMs: Date.UTC(2026, 11, 4, 12, 5, 0),
};

describe('slack notifier', () => {
  let slack: SlackStandIn;
  beforeAll(async () => {
    slack = await startSlack();
  });
  afterAll(async () => slack?.close());

  const send = (n: OutgoingNotification) =>
    slackNotifier.create({ log: quietLog }, { name: 's', type: 'slack', webhookUrl: slack.url }).send([n], AbortSignal.timeout(10_000));

  it('posts Block Kit with header, Host/Value/Severity/Since fields, summary and a text fallback', async () => {
    const result = await send(base);
    expect(result).toMatchObject({ ok: true, status: 200 });
    const body = slack.messages.at(-1);
    expect(body.text).toBe('[FIRING critical] disk-full on db-1: disk /srv at 97.5% on db-1');
    expect(body.blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text' } });
    expect(body.blocks[0].text.text).toContain('FIRING critical: disk-full on db-1');
    const fields = body.blocks[1].fields.map((f: { text: string }) => f.text);
    expect(fields[0]).toBe('*Host*\ndb-1');
    expect(fields[1]).toBe('*Value*\n97.5');
    expect(fields[2]).toBe('*Severity*\ncritical');
    expect(fields[3]).toMatch(/^\*Since\*\n<!date\^\d+\^.*\|2026-12-04T12:00:00Z>$/);
    expect(body.blocks[2].text.text).toBe('*Summary*\ndisk /srv at 97.5% on db-1');
    expect(JSON.stringify(body.blocks[3])).toContain('mount=/srv');
  });

  it('says RESOLVED in the header of a resolution', async () => {
    await send({ ...base, kind: 'resolved' });
    const body = slack.messages.at(-1);
    expect(body.blocks[0].text.text).toContain('RESOLVED: disk-full on db-1');
    expect(body.text).toMatch(/^\[RESOLVED\]/);
    expect(body.blocks[1].fields[3].text).toMatch(/^\*Resolved\*/);
  });

  it('keeps within Slack limits and escapes markup from agents', async () => {
    const longHost = `<!channel> ${'h'.repeat(400)}`;
    await send({ ...base, hostName: longHost, summary: 'x'.repeat(5000), labels: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, 'v'.repeat(20)])) });
    const body = slack.messages.at(-1);
    expect(body.blocks.length).toBeLessThanOrEqual(50);
    expect(body.blocks[0].text.text.length).toBeLessThanOrEqual(150);
    expect(body.blocks[1].fields.length).toBeLessThanOrEqual(10);
    for (const f of body.blocks[1].fields) expect(f.text.length).toBeLessThanOrEqual(2000);
    expect(body.blocks[2].text.text.length).toBeLessThanOrEqual(3000);
    expect(body.blocks[3].elements[0].text.length).toBeLessThanOrEqual(2000);
    expect(body.text.length).toBeLessThanOrEqual(3000);
    expect(body.blocks[1].fields[0].text).toContain('&lt;!channel&gt;');
    expect(body.blocks[1].fields[0].text).not.toContain('<!channel>');
    // The top-level text is mrkdwn that phones show; the header is plain_text, never parsed.
    expect(body.text).toContain('&lt;!channel&gt;');
  });

  it('reports a 429 with the Retry-After Slack asked for', async () => {
    slack.rateLimitNext(1, 7);
    const result = await send(base);
    expect(result).toMatchObject({ ok: false, status: 429, retryAfterMs: 7_000 });
    expect(result.error).not.toContain('secret-path');
  });

  it('reports an unreachable webhook without its secret path', async () => {
    const closed = await startSlack();
    const url = closed.url;
    await closed.close();
    const result = await slackNotifier
      .create({ log: quietLog }, { name: 's', type: 'slack', webhookUrl: url })
      .send([base], AbortSignal.timeout(10_000));
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/^http:\/\/127\.0\.0\.1:\d+: /);
    expect(result.error).not.toContain('secret-path');
  });
});
