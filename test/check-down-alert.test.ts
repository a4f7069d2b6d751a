import { createServer, type Server } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../collector/test/helpers/pg.js';
import { agentYamlWithoutSamplers, api, apiToken, told } from './helpers/e2e.js';
import { startStatusTarget, type StatusTarget } from './helpers/e2e.js';
import { freePort, tempDir, waitFor } from './helpers/processes.js';
import { prepareStack, type Stack } from './helpers/stack.js';
import { startSlackStandIn, startSmtpStandIn } from './helpers/stand-ins.js';
import type { SlackStandIn, SmtpStandIn } from './helpers/stand-ins.js';

// SPEC §3.3 and §5.3 across the wire: a real agent's tcp check to a closed port and http check
// to a server answering 500 send check_up 0 plus check_failed events labelled { check, type };
// the real collector's check_up rule fires on Slack and email quoting each check's error, and
// resolves on both once the port listens and the server answers 200.

const isResolved = (text: string) => /resolved/i.test(text);

describe('check down → alert that says why', () => {
  const dir = tempDir('check-down');
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let slack: SlackStandIn;
  let smtp: SmtpStandIn;
  let web: StatusTarget;
  let stack: Stack;
  let listener: Server | undefined;
  let closedPort: number;

  beforeAll(async () => {
    db = await createTestDatabase();
    slack = await startSlackStandIn();
    smtp = await startSmtpStandIn();
    web = await startStatusTarget(500);
    closedPort = await freePort();
    const checks = [
      'checks:',
      `  - { name: port, type: tcp, host: 127.0.0.1, port: ${closedPort}, timeout: 1s }`,
      `  - { name: web, type: http, url: "${web.url}/healthz", expect_status: 200, timeout: 1s }`,
      '',
    ].join('\n');
    stack = await prepareStack(dir.path, db.url, {
      intervalS: 1,
      agentYaml: agentYamlWithoutSamplers(checks),
      collectorYaml: `notifiers:
  - { name: ops-slack, type: slack, webhook_url: "${slack.url}" }
  - { name: oncall, type: email, smtp_url: "${smtp.url}", from: "hp@example.com",
      to: ["ops@example.com"] }
rules:
  - name: check-down
    metric: check_up
    thresholds: [{ severity: high, below: 1, for: 0s }]
    notify: [ops-slack, oncall]
`,
    });
  });

  afterAll(async () => {
    await stack?.stopAll();
    await new Promise((done) => (listener ? listener.close(done) : done(undefined)));
    await slack?.close();
    await smtp?.close();
    await web?.close();
    await db?.drop();
    dir.remove();
  });

  it('fires on Slack and email with each error, then resolves when both come back', async () => {
    await stack.startCollector();
    const viewer = apiToken(stack.collectorConfig, 'e2e-viewer', 'viewer');
    stack.startAgent();

    const slackText = () => slack.messages.map((m) => JSON.stringify(m.body)).join('\n');
    const mailText = () => smtp.mails.map((m) => `${m.mail.subject}\n${m.mail.text}`).join('\n');
    await waitFor('Slack messages quoting both errors', () =>
      (/ECONNREFUSED/.test(slackText()) && /status 500/.test(slackText())) || undefined, 30_000);
    await waitFor('emails quoting both errors', () =>
      (/ECONNREFUSED/.test(mailText()) && /status 500/.test(mailText())) || undefined, 30_000);
    expect(slackText()).toContain('check-down');
    // Two alerts of one rule on one host: the message must say which check is which.
    expect(told(slack, /check=port/, /ECONNREFUSED/)).toBe(true);
    expect(told(slack, /check=web/, /status 500/)).toBe(true);
    expect(slack.messages.some((m) => isResolved(JSON.stringify(m.body)))).toBe(false);

    // A new reason while still down: the alert takes the check's newest event.
    web.status = 503;
    await waitFor('the web alert to quote the new reason', async () => {
      const { alerts } = await api(stack.url, viewer, '/api/v1/alerts');
      const alert = alerts.find((a: any) => a.labels.check === 'web' && a.state === 'firing');
      return /status 503/.test(alert?.detail ?? '') || undefined;
    }, 15_000);

    // Both checks come back: a listener on the port, 200 from the web server.
    listener = createServer((socket) => socket.end());
    await new Promise<void>((done) => listener?.listen(closedPort, '127.0.0.1', done));
    web.status = 200;

    await waitFor('Slack resolutions of both checks', () =>
      (told(slack, /resolved/i, /check=port/) && told(slack, /resolved/i, /check=web/)) ||
      undefined, 30_000);
    await waitFor('resolution emails', () =>
      smtp.mails.some((m) => isResolved(m.mail.subject ?? '')) || undefined, 30_000);
    expect(stack.agent?.log()).toMatch(/check down/);

    // The wire contract the alert relies on: events labelled { check, type } with the error.
    const client = new pg.Client(db.url);
    await client.connect();
    const { rows } = await client.query('SELECT kind, labels, message FROM events ORDER BY t_ms');
    await client.end();
    const port = rows.filter((r) => r.labels.check === 'port');
    expect(port.map((r) => r.kind)).toEqual(['check_failed', 'check_recovered']);
    expect(port[0].labels).toMatchObject({ check: 'port', type: 'tcp' });
    expect(port[0].message).toContain('ECONNREFUSED');
    const webFailed = rows.find((r) => r.labels.check === 'web' && r.kind === 'check_failed');
    expect(webFailed?.labels).toMatchObject({ type: 'http' });
    expect(webFailed?.message).toContain('status 500');
  }, 60_000);
});
