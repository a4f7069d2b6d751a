import { hostname } from 'node:os';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../collector/test/helpers/pg.js';
import { agentBin, collectorBin, freePort, runCli, startProcess, tempDir, waitFor, writeFile, type RunningProcess } from './helpers/processes.js';
import { startSlackStandIn, startSmtpStandIn, type SlackStandIn, type SmtpStandIn } from './helpers/stand-ins.js';

// The whole path with real processes: an agent sampling this host at 1 s pushes to a collector
// on PostgreSQL; a rule that is true on this host fires a Slack message and an email; after the
// rule is changed so that it no longer matches, the resolution arrives by both ways too.

function collectorYaml(port: number, dbUrl: string, slack: SlackStandIn, smtp: SmtpStandIn, threshold: number): string {
  return `listen: 127.0.0.1:${port}
database: { url: "${dbUrl}" }
data_dir: /tmp
notifiers:
  - { name: ops-slack, type: slack, webhook_url: "${slack.url}" }
  - { name: oncall, type: email, smtp_url: "${smtp.url}", from: "hostpulse@example.com", to: ["ops@example.com"] }
rules:
  - name: memory-present
    metric: memory_total_bytes
    thresholds:
      - { severity: high, above: ${threshold} }
    notify: [ops-slack, oncall]
    summary: "memory {{value}} bytes on {{host}}"
`;
}

async function firstSampleTime(dbUrl: string, metric: string): Promise<number> {
  const client = new pg.Client(dbUrl);
  await client.connect();
  try {
    const { rows } = await client.query(
      'SELECT min(s.t_ms)::bigint AS first FROM samples s JOIN series se ON se.id = s.series_id WHERE se.metric = $1',
      [metric],
    );
    return Number(rows[0].first);
  } finally {
    await client.end();
  }
}

describe('agent → collector → Slack and email', () => {
  const dir = tempDir('alert-path');
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let slack: SlackStandIn;
  let smtp: SmtpStandIn;
  let collector: RunningProcess | undefined;
  let agent: RunningProcess | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    slack = await startSlackStandIn();
    smtp = await startSmtpStandIn();
  });

  afterAll(async () => {
    await agent?.stop();
    await collector?.stop();
    await slack?.close();
    await smtp?.close();
    await db?.drop();
    dir.remove();
  });

  it('fires within 10 s of the first sample and resolves after the rule stops matching', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const configFile = writeFile(dir.path, 'collector.yaml', collectorYaml(port, db.url, slack, smtp, 0));
    expect(runCli(collectorBin, ['migrate', '--config', configFile]).status).toBe(0);
    const created = runCli(collectorBin, ['token', 'create', '--agent', 'e2e', '--config', configFile]);
    const token = /hp_[A-Za-z0-9_-]+/.exec(created.stdout)?.[0];
    expect(token, created.stdout + created.stderr).toBeDefined();

    collector = startProcess('collector', collectorBin, ['--config', configFile], dir.path);
    await waitFor('collector ready', async () => (await fetch(`${url}/readyz`)).ok || undefined);
    const agentFile = writeFile(
      dir.path,
      'agent.yaml',
      `collector: { url: "${url}", token: "${token}" }\ninterval: 1s\nbuffer: { path: ${dir.path}/agent.db }\n`,
    );
    agent = startProcess('agent', agentBin, ['--config', agentFile], dir.path);

    const fired = await waitFor('the Slack message', () => slack.messages[0], 30_000);
    const mailed = await waitFor('the email', () => smtp.mails[0], 30_000);
    const firstSampleMs = await firstSampleTime(db.url, 'memory_total_bytes');
    expect(fired.receivedMs - firstSampleMs).toBeLessThan(10_000);
    expect(mailed.receivedMs - firstSampleMs).toBeLessThan(10_000);
    const slackText = JSON.stringify(fired.body);
    expect(slackText).toContain('memory-present');
    expect(slackText).toContain(hostname());
    expect(slackText).toMatch(/high/i);
    expect(mailed.mail.subject).toContain('memory-present');
    expect(mailed.mail.text).toContain(hostname());
    expect(mailed.mail.html).toBeTruthy();

    // Make the rule impossible to meet and restart the collector: the alert state survives the
    // restart and the next sample resolves it.
    await collector.stop();
    writeFile(dir.path, 'collector.yaml', collectorYaml(port, db.url, slack, smtp, 1e18));
    collector = startProcess('collector-2', collectorBin, ['--config', configFile], dir.path);
    const resolvedSlack = await waitFor('the Slack resolution', () => slack.messages.find((m) => /resolved/i.test(JSON.stringify(m.body))), 30_000);
    const resolvedMail = await waitFor('the resolution email', () => smtp.mails.find((m) => /resolved/i.test(m.mail.subject ?? '')), 30_000);
    expect(JSON.stringify(resolvedSlack.body)).toContain('memory-present');
    expect(resolvedMail.mail.text).toContain(hostname());
    expect(slack.messages.filter((m) => !/resolved/i.test(JSON.stringify(m.body)))).toHaveLength(1);
  });
});
