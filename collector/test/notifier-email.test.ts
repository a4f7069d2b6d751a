import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailNotifier } from '../src/notifiers/email.js';
import type { OutgoingNotification } from '../src/notifiers/notifier.js';
import { quietLog, startSmtp, type SmtpStandIn } from './alerting-stand-ins.js';

// The email notifier against a real SMTP server (smtp-server), mails parsed with mailparser.

const base: OutgoingNotification = {
  id: 'n1',
  kind: 'firing',
  alertId: 'a1',
  rule: 'cpu-high',
  metric: 'cpu_usage_percent',
  hostId: 'h1',
  hostName: 'web-1',
  labels: { env: 'prod' },
  severity: 'high',
  value: 91.25,
  summary: 'CPU at 91.25% on web-1',
  sinceMs: Date.UTC(2026, 11, 4, 12, 0, 0),
  atMs: Date.UTC(2026, 11, 4, 12, 5, 0),
  url: 'https://hp.example.com/alerts/a1',
};

describe('email notifier', () => {
  let smtp: SmtpStandIn;
  beforeAll(async () => {
    smtp = await startSmtp();
  });
  afterAll(async () => smtp?.close());

  const from = 'hostpulse@example.com';
  const config = (to: string[]) =>
    ({ name: 'oncall', type: 'email', smtpUrl: smtp.url, from, to }) as const;

  async function send(n: OutgoingNotification) {
    const to = ['ops@example.com', 'dba@example.com'];
    const notifier = emailNotifier.create({ log: quietLog }, config(to));
    try {
      return await notifier.send([n], AbortSignal.timeout(10_000));
    } finally {
      await notifier.close();
    }
  }

  it('sends subject, text and HTML parts with the facts', async () => {
    const result = await send(base);
    expect(result).toMatchObject({ ok: true, status: 250 });
    const { mail } = smtp.mails.at(-1)!;
    expect(mail.subject).toBe('[FIRING high] cpu-high on web-1');
    expect(mail.from?.text).toBe('hostpulse@example.com');
    expect(JSON.stringify(mail.to)).toContain('dba@example.com');
    expect(mail.text).toContain('CPU at 91.25% on web-1');
    expect(mail.text).toContain('Severity: high');
    expect(mail.text).toContain('Since: 2026-12-04T12:00:00.000Z');
    expect(mail.html).toContain('<th align="left">Value</th><td>91.25</td>');
    expect(mail.html).toContain('href="https://hp.example.com/alerts/a1"');
  });

  it('sends a resolution with its time', async () => {
    await send({ ...base, kind: 'resolved' });
    const { mail } = smtp.mails.at(-1)!;
    expect(mail.subject).toBe('[RESOLVED] cpu-high on web-1');
    expect(mail.text).toContain('Resolved: 2026-12-04T12:05:00.000Z');
  });

  it('keeps UTF-8 intact and escapes HTML from host names and labels', async () => {
    await send({ ...base, hostName: 'wéb-1 ☃', labels: { team: '<script>alert(1)</script> & co' }, summary: 'Zürich ☃ <b>' });
    const { mail } = smtp.mails.at(-1)!;
    expect(mail.subject).toBe('[FIRING high] cpu-high on wéb-1 ☃');
    expect(mail.text).toContain('Zürich ☃ <b>');
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; co');
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('Zürich ☃ &lt;b&gt;');
  });

  it('lets no host name write its own headers', async () => {
    await send({ ...base, hostName: 'web-1\r\nBcc: victim@example.com\r\nX-Evil: 1' });
    const { mail, raw } = smtp.mails.at(-1)!;
    expect(mail.headers.has('bcc')).toBe(false);
    expect(mail.headers.has('x-evil')).toBe(false);
    expect(mail.subject).toBe('[FIRING high] cpu-high on web-1 Bcc: victim@example.com X-Evil: 1');
    const head = raw.slice(0, raw.indexOf('\r\n\r\n'));
    expect(head).not.toMatch(/^(Bcc|X-Evil):/im);
    expect(mail.text).not.toMatch(/^Bcc:/m);
  });

  it('sends Greek and Japanese exactly, RFC 2047 subject, no header from a CR/LF', async () => {
    const host = 'διακομιστής-東京-1';
    const summary = 'Η CPU στο 97% — 東京のサーバーが過負荷です';
    const labels = { team: 'ops\r\nBcc: victim@example.com\r\nX-Evil: 1', 地域: '東京\n' };
    await send({ ...base, hostName: host, summary, labels, threshold: '> 90' });
    const { mail, raw } = smtp.mails.at(-1)!;
    expect(mail.subject).toBe(`[FIRING high] cpu-high on ${host}`);
    const head = raw.slice(0, raw.indexOf('\r\n\r\n'));
    // Every header line is ASCII: the subject travels as RFC 2047 encoded words.
    expect(head).toMatch(/^Subject: =\?UTF-8\?[BQ]\?/im);
    expect(head).not.toMatch(/[^\x00-\x7f]/);
    expect(mail.headers.has('bcc')).toBe(false);
    expect(mail.headers.has('x-evil')).toBe(false);
    expect(JSON.stringify(mail.to)).not.toContain('victim');
    expect(mail.text?.trimEnd()).toBe(
      [
        `[FIRING high] cpu-high on ${host}`,
        '',
        summary,
        '',
        `Host: ${host}`,
        'Rule: cpu-high',
        'Severity: high',
        'Value: 91.25',
        'Threshold: > 90',
        'Metric: cpu_usage_percent',
        'Since: 2026-12-04T12:00:00.000Z',
        'Label team: ops Bcc: victim@example.com X-Evil: 1',
        'Label 地域: 東京',
        '',
        'https://hp.example.com/alerts/a1',
      ].join('\n'),
    );
    expect(mail.html).toContain(`<p>${summary}</p>`);
    expect(mail.html).toContain(`<th align="left">Host</th><td>${host}</td>`);
    expect(mail.html).toContain('<th align="left">Label 地域</th><td>東京</td>');
  });

  it('sends a group of alerts as one mail listing each of them', async () => {
    const group = [base, { ...base, id: 'n2', hostName: 'web-2', kind: 'resolved' as const }];
    const notifier = emailNotifier.create({ log: quietLog }, config(['ops@example.com']));
    await notifier.send(group, AbortSignal.timeout(10_000));
    await notifier.close();
    const { mail } = smtp.mails.at(-1)!;
    expect(mail.subject).toBe('[hostpulse] 2 alerts: 1 firing, 1 resolved');
    expect(mail.text).toContain('[FIRING high] cpu-high on web-1');
    expect(mail.text).toContain('[RESOLVED] cpu-high on web-2');
    expect(mail.text).toMatch(/^https:\/\/hp\.example\.com\/alerts$/m);
  });

  it('reports a refused connection as a failure to retry', async () => {
    const closed = await startSmtp();
    const url = closed.url;
    await closed.close();
    const notifier = emailNotifier.create({ log: quietLog }, { name: 'o', type: 'email', smtpUrl: url, from: 'a@example.com', to: ['b@example.com'] });
    const result = await notifier.send([base], AbortSignal.timeout(10_000));
    await notifier.close();
    expect(result.ok).toBe(false);
    expect(result.permanent).toBe(false);
    expect(result.error).toBeTruthy();
  });
});
