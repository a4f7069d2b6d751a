import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateNotifiers } from '../src/notifiers/index.js';
import type { OutgoingNotification } from '../src/notifiers/notifier.js';
import { webhookNotifier, type WebhookConfig } from '../src/notifiers/webhook.js';
import { quietLog } from './alerting-stand-ins.js';
import { startReceiver, type Receiver } from './delivery-stand-ins.js';

// The webhook notifier against a real HTTP server: the documented body, a signature the
// receiver can check the way docs/alerts.md shows, and answers mapped to retry or give up.

const base: OutgoingNotification = {
  id: 'n1',
  kind: 'firing',
  alertId: 'a1',
  rule: 'disk-full',
  metric: 'filesystem_used_percent',
  hostId: 'h1',
  hostName: 'db-1',
  labels: { mount: '/srv' },
  severity: 'critical',
  value: 97.5,
  threshold: '> 95',
  summary: 'disk /srv at 97.5% on db-1',
  sinceMs: Date.UTC(2026, 11, 4, 12, 0, 0),
  atMs: Date.UTC(2026, 11, 4, 12, 5, 0),
  url: 'https://hp.example.com/alerts/a1',
};

/** What a receiver does, as docs/alerts.md tells it: HMAC of the raw body, then the age. */
function verify(secret: string, raw: string, header: string | undefined, nowMs: number): boolean {
  const expected = `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
  if (!header || header.length !== expected.length) return false;
  if (!timingSafeEqual(Buffer.from(header), Buffer.from(expected))) return false;
  return Math.abs(nowMs - JSON.parse(raw).sent_at_ms) < 5 * 60_000;
}

describe('webhook notifier', () => {
  let hook: Receiver;
  let dir: string;
  beforeAll(async () => {
    hook = await startReceiver('/hooks/token-abc');
    dir = mkdtempSync(join(tmpdir(), 'hostpulse-webhook-'));
  });
  afterAll(async () => {
    await hook?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const send = (config: Partial<WebhookConfig>, group = [base]) =>
    webhookNotifier
      .create({ log: quietLog }, { name: 'pager', type: 'webhook', url: hook.url, ...config })
      .send(group, AbortSignal.timeout(10_000));

  it('posts the documented JSON body, signed over the raw body with a timestamp', async () => {
    const before = Date.now();
    expect(await send({ secret: 'shh' })).toMatchObject({ ok: true, status: 200 });
    const { raw, body, headers } = hook.received.at(-1)!;
    expect(verify('shh', raw, headers['x-hostpulse-signature'] as string, Date.now())).toBe(true);
    const header = headers['x-hostpulse-signature'] as string;
    expect(verify('other', raw, header, Date.now())).toBe(false);
    expect(Number(headers['x-hostpulse-timestamp'])).toBe(Math.floor(body.sent_at_ms / 1000));
    expect(body.sent_at_ms).toBeGreaterThanOrEqual(before);
    expect(body).toEqual({
      version: 1,
      sent_at: new Date(body.sent_at_ms).toISOString(),
      sent_at_ms: body.sent_at_ms,
      notifications: [
        {
          id: 'n1',
          kind: 'firing',
          alert_id: 'a1',
          rule: 'disk-full',
          metric: 'filesystem_used_percent',
          host_id: 'h1',
          host: 'db-1',
          labels: { mount: '/srv' },
          severity: 'critical',
          value: 97.5,
          threshold: '> 95',
          summary: 'disk /srv at 97.5% on db-1',
          since: '2026-12-04T12:00:00.000Z',
          at: '2026-12-04T12:05:00.000Z',
          url: 'https://hp.example.com/alerts/a1',
        },
      ],
    });
  });

  it('reads the secret from a file or an environment variable; unsigned without one', async () => {
    const file = join(dir, 'secret');
    writeFileSync(file, 'from-file\n');
    await send({ secretFile: file });
    let last = hook.received.at(-1)!;
    const signed = (r: typeof last) => r.headers['x-hostpulse-signature'] as string;
    expect(verify('from-file', last.raw, signed(last), Date.now())).toBe(true);

    process.env.HOSTPULSE_TEST_HOOK_SECRET = 'from-env';
    await send({ secretEnv: 'HOSTPULSE_TEST_HOOK_SECRET' });
    last = hook.received.at(-1)!;
    expect(verify('from-env', last.raw, signed(last), Date.now())).toBe(true);
    delete process.env.HOSTPULSE_TEST_HOOK_SECRET;
    const secretEnv = 'HOSTPULSE_TEST_HOOK_SECRET';
    const unset = { name: 'p', type: 'webhook', url: hook.url, secretEnv };
    expect(() => webhookNotifier.create({ log: quietLog }, unset as WebhookConfig)).toThrow(
      /HOSTPULSE_TEST_HOOK_SECRET is not set/,
    );

    await send({});
    expect(hook.received.at(-1)!.headers['x-hostpulse-signature']).toBeUndefined();
  });

  it('sends a group in one request, each notification with its own id', async () => {
    await send({}, [base, { ...base, id: 'n2', kind: 'resolved', hostName: 'db-2' }]);
    const { body } = hook.received.at(-1)!;
    expect(body.notifications.map((n: any) => [n.id, n.kind, n.host])).toEqual([
      ['n1', 'firing', 'db-1'],
      ['n2', 'resolved', 'db-2'],
    ]);
  });

  it('retries 5xx and 429 (after its Retry-After), gives up on 404, hides the path', async () => {
    const slowDown = { status: 429, headers: { 'retry-after': '3' } };
    hook.script({ status: 503 }, slowDown, { status: 404 });
    const failed = await send({});
    expect(failed).toMatchObject({ ok: false, status: 503, permanent: false });
    expect(failed.error).not.toContain('token-abc');
    expect(await send({})).toMatchObject({ ok: false, status: 429, retryAfterMs: 3_000 });
    expect(await send({})).toMatchObject({ ok: false, status: 404, permanent: true });
  });

  it('refuses a config with no URL, two URLs or two secrets', () => {
    const problems = validateNotifiers([
      { name: 'a', type: 'webhook' },
      { name: 'b', type: 'webhook', url: 'https://x.example/h', urlFile: '/etc/h' },
      { name: 'c', type: 'webhook', url: 'ftp://x', secret: 's', secretFile: '/etc/s' },
    ]).map((p) => `${p.path}: ${p.message}`);
    expect(problems).toEqual([
      'notifiers[0]: needs exactly one of url: or url_file:',
      'notifiers[1]: needs exactly one of url: or url_file:',
      'notifiers[2].url: is not an http(s) URL (value not shown: it may hold a token)',
      'notifiers[2]: takes at most one of secret:, secret_file: or secret_env:',
    ]);
  });
});
