import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../collector/test/helpers/pg.js';
import { agentYamlWithoutSamplers, api, apiToken, sleep } from './helpers/e2e.js';
import { freePort, tempDir, waitFor } from './helpers/processes.js';
import { prepareStack, type Stack } from './helpers/stack.js';
import { startSlackStandIn, type SlackStandIn } from './helpers/stand-ins.js';

// SPEC §5.3 and §5.4 over HTTP against a real collector process: an operator's silence on the
// host keeps the next firing off Slack (the alert is `suppressed`); the audit log (admin only)
// names who silenced and from where; once the silence is ended the alert pages, and the
// operator's acknowledgement shows in the alert's history and in the audit log.

describe('silence and acknowledgement through the API', () => {
  const dir = tempDir('silence-ack');
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let slack: SlackStandIn;
  let stack: Stack;
  let operator: string;
  let admin: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    slack = await startSlackStandIn();
    const closedPort = await freePort();
    stack = await prepareStack(dir.path, db.url, {
      intervalS: 1,
      agentYaml: agentYamlWithoutSamplers(
        'checks:\n' +
          `  - { name: port, type: tcp, host: 127.0.0.1, port: ${closedPort}, timeout: 1s }\n`,
      ),
      collectorYaml: `notifiers:
  - { name: ops-slack, type: slack, webhook_url: "${slack.url}" }
rules:
  - name: check-down
    metric: check_up
    thresholds: [{ severity: high, below: 1 }]
    notify: [ops-slack]
`,
    });
    operator = apiToken(stack.collectorConfig, 'e2e-operator', 'operator');
    admin = apiToken(stack.collectorConfig, 'e2e-admin', 'admin');
  });

  afterAll(async () => {
    await stack?.stopAll();
    await slack?.close();
    await db?.drop();
    dir.remove();
  });

  it('suppresses while silenced, audits the silence, then pages and records the ack', async () => {
    await stack.startCollector();
    const { silence } = await api(stack.url, operator, '/api/v1/silences', {
      matchers: { host: hostname() },
      duration: '10m',
      comment: 'planned work on the port',
    });
    expect(silence.author).toBe('e2e-operator');

    stack.startAgent();
    const alerts = async () => (await api(stack.url, operator, '/api/v1/alerts')).alerts;
    const suppressed = await waitFor('the suppressed alert', async () =>
      (await alerts()).find((a: any) => a.rule === 'check-down' && a.state === 'suppressed'));
    expect(suppressed.silenceId).toBe(silence.id);
    expect(suppressed.detail).toContain('ECONNREFUSED');
    await sleep(4_000); // two grouping windows and more cycles: still nothing may go out
    expect(slack.messages).toEqual([]);

    const audit = await api(stack.url, admin, '/api/v1/audit?action=silence.create');
    expect(audit.entries).toHaveLength(1);
    expect(audit.entries[0]).toMatchObject({
      actor: 'e2e-operator',
      action: 'silence.create',
      target: silence.id,
      remoteAddress: expect.stringMatching(/127\.0\.0\.1$/),
    });
    await expect(api(stack.url, operator, '/api/v1/audit')).rejects.toThrow(/403/);

    // The silence ends: the alert is notified now, and the operator acknowledges it.
    await api(stack.url, operator, `/api/v1/silences/${silence.id}`, undefined, 'DELETE');
    const paged = await waitFor('the Slack page after the silence', () => slack.messages[0]);
    expect(JSON.stringify(paged.body)).toContain('ECONNREFUSED');
    const ack = await api(stack.url, operator, `/api/v1/alerts/${suppressed.id}/ack`, {
      comment: 'on it',
    });
    expect(ack.alert).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'e2e-operator' });
    const { alert: detail } = await api(stack.url, operator, `/api/v1/alerts/${suppressed.id}`);
    expect(detail.state).toBe('acknowledged');
    expect(detail.acknowledgedBy).toBe('e2e-operator');
    expect(detail.history.transitions.map((t: any) => t.to)).toContain('acknowledged');
    expect(detail.history.acknowledgements).toEqual([
      expect.objectContaining({ author: 'e2e-operator', comment: 'on it' }),
    ]);
    const acks = await api(stack.url, admin, '/api/v1/audit?action=alert.ack');
    expect(acks.entries[0]).toMatchObject({
      actor: 'e2e-operator',
      target: suppressed.id,
      remoteAddress: expect.stringMatching(/127\.0\.0\.1$/),
    });
  }, 60_000);
});
