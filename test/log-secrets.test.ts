import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { encoded, wireBatch } from '../collector/test/helpers/batches.js';
import {
  agentBin,
  collectorBin,
  freePort,
  runCli,
  startProcess,
  tempDir,
  waitFor,
  writeFile,
  type RunningProcess,
} from './helpers/processes.js';

// Secrets never reach a log line, even at debug: a collector with a Slack webhook whose path
// is the secret (and which fails, so delivery errors are logged), an agent pushing with its
// token, requests with a wrong token. Both processes' whole output is searched afterwards.

const dir = tempDir('log-secrets');
const processes: RunningProcess[] = [];
let slack: Server | undefined;

afterAll(async () => {
  for (const running of processes) await running.stop();
  await new Promise<void>((done) => (slack ? slack.close(() => done()) : done()));
  dir.remove();
});

/** A Slack stand-in that answers 500, so the collector logs failed deliveries. */
async function failingSlack(): Promise<{ port: number; hits: () => number }> {
  let hits = 0;
  slack = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      hits += 1;
      res.writeHead(500, { 'content-type': 'text/plain' }).end('internal trouble');
    });
  });
  await new Promise<void>((done) => slack?.listen(0, '127.0.0.1', done));
  return { port: (slack.address() as { port: number }).port, hits: () => hits };
}

describe('secrets in logs', () => {
  it('never writes the webhook URL, the agent token or a wrong token', async () => {
    const stand = await failingSlack();
    const webhookSecret = `S${randomBytes(12).toString('hex')}`;
    const webhook = `http://127.0.0.1:${stand.port}/services/T0001/B0001/${webhookSecret}`;
    const webhookFile = writeFile(dir.path, 'slack.url', `${webhook}\n`);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const config = writeFile(dir.path, 'collector.yaml', [
      `listen: 127.0.0.1:${port}`,
      `data_dir: ${dir.path}`,
      'log_level: debug',
      'notifiers:',
      `  - { name: ops-slack, type: slack, webhook_url_file: ${webhookFile} }`,
      'rules:',
      '  - name: cpu-any',
      '    metric: cpu_usage_percent',
      '    thresholds: [{ severity: high, above: 0 }]',
      '    notify: [ops-slack]',
      '',
    ].join('\n'));
    expect(runCli(collectorBin, ['migrate', '--config', config]).status).toBe(0);
    const token = runCli(collectorBin, ['token', 'create', '--agent', 'web-1', '--config', config])
      .stdout.trim();
    expect(token).toMatch(/^hp_/);

    const collector = startProcess('collector', collectorBin, ['--config', config], dir.path);
    processes.push(collector);
    await waitFor('collector ready', async () => (await fetch(`${url}/readyz`)).ok || undefined);

    const wrongToken = `hp_${randomBytes(32).toString('base64url')}`;
    for (const bearer of [token, wrongToken, 'not-even-a-token-shape']) {
      await fetch(`${url}/api/v1/ingest`, {
        method: 'POST',
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/x-protobuf' },
        body: encoded(wireBatch({ seq: 1 })),
      });
    }
    const agentConfig = writeFile(dir.path, 'agent.yaml', [
      `collector: { url: "${url}", token: "${token}" }`,
      'interval: 1s',
      'log_level: debug',
      `buffer: { path: ${dir.path}/agent.db }`,
      '',
    ].join('\n'));
    const agent = startProcess('agent', agentBin, ['--config', agentConfig], dir.path, {
      HOSTPULSE_AGENT_TOKEN: '',
    });
    processes.push(agent);
    await waitFor('a failed Slack delivery', () => stand.hits() >= 1 || undefined);
    await waitFor('the agent pushing', () => agent.log().includes('"seq"') || undefined);

    expect(await agent.stop()).toBe(0);
    expect(await collector.stop()).toBe(0);
    const logs = `${collector.log()}\n${agent.log()}`;
    expect(collector.log()).toContain('collector listening');
    // The paths that could leak were taken: a failed delivery and a refused token were logged.
    expect(collector.log()).toContain('notification failed, will retry');
    expect(collector.log()).toContain('request refused');
    expect(logs).not.toContain(webhookSecret);
    expect(logs).not.toContain('/services/T0001');
    expect(logs).not.toContain(token);
    expect(logs).not.toContain(token.slice(3));
    expect(logs).not.toContain(wrongToken);
  });
});
