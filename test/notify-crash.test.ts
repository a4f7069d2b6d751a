import { BatchMessage, encodeBatch } from '@hostpulse/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { collectorBin, freePort, runCli, startProcess, tempDir } from './helpers/processes.js';
import { waitFor, writeFile, type RunningProcess } from './helpers/processes.js';
import { startHoldingSlack, type HoldingSlack } from './helpers/holding-slack.js';

// A notification survives a collector killed with SIGKILL mid-send. A real collector process
// (embedded storage) gets a batch that fires a rule; Slack holds the request; the collector is
// killed before Slack answers; a new collector on the same data sends the notification once,
// when the dead one's claim has run out, and later the resolution once.

function collectorYaml(port: number, dir: string, slack: HoldingSlack): string {
  return `listen: 127.0.0.1:${port}
data_dir: ${dir}
notifiers:
  - { name: ops-slack, type: slack, webhook_url: "${slack.url}" }
rules:
  - name: cpu-high
    metric: cpu_usage_percent
    thresholds: [{ severity: critical, above: 90 }]
    notify: [ops-slack]
`;
}

function batch(seq: number, value: number): Uint8Array {
  const now = Date.now();
  return encodeBatch(
    BatchMessage.create({
      agentId: 'agent-crash',
      hostName: 'web-1',
      agentVersion: '0.1.0',
      incarnation: 'inc-1',
      seq,
      sentAtMs: now,
      intervalMs: 10_000,
      series: [{ metric: 'cpu_usage_percent', labels: {}, timestampsMs: [now], values: [value] }],
    }),
  );
}

describe('collector killed while Slack holds the request', () => {
  const dir = tempDir('notify-crash');
  let slack: HoldingSlack;
  let collector: RunningProcess | undefined;

  afterAll(async () => {
    await collector?.stop();
    await slack?.close();
    dir.remove();
  });

  it('delivers the firing and the resolution exactly once across kill -9', async () => {
    slack = await startHoldingSlack();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const config = writeFile(dir.path, 'collector.yaml', collectorYaml(port, dir.path, slack));
    expect(runCli(collectorBin, ['migrate', '--config', config]).status).toBe(0);
    const tokenArgs = ['token', 'create', '--agent', 'crash', '--config', config];
    const created = runCli(collectorBin, tokenArgs);
    const token = /hp_[A-Za-z0-9_-]+/.exec(created.stdout)?.[0];
    expect(token, created.stdout + created.stderr).toBeDefined();
    const ingest = async (seq: number, value: number) => {
      const headers = {
        authorization: `Bearer ${token}`,
        'content-type': 'application/x-protobuf',
      };
      const body = batch(seq, value);
      const answer = await fetch(`${url}/api/v1/ingest`, { method: 'POST', headers, body });
      expect(answer.status).toBe(200);
    };
    const start = async (name: string) => {
      collector = startProcess(name, collectorBin, ['--config', config], dir.path);
      await waitFor('collector ready', async () => (await fetch(`${url}/readyz`)).ok || undefined);
    };

    slack.hold = true;
    await start('collector-1');
    await ingest(1, 99);
    await waitFor('Slack to hold the firing', () => slack.holding === 1 || undefined, 20_000);
    await collector!.stop('SIGKILL');
    await waitFor('the held request to end', () => slack.aborted === 1 || undefined, 10_000);
    expect(slack.messages).toHaveLength(0);

    slack.hold = false;
    await start('collector-2');
    const fired = await waitFor('the firing message', () => slack.messages[0], 40_000);
    expect(fired.body.text).toMatch(/^\[FIRING critical\] cpu-high on web-1/);

    await ingest(2, 10);
    await waitFor('the resolution', () => slack.messages[1], 20_000);
    // Time for a duplicate to show up, if there were one: the worker polls within seconds.
    await new Promise((r) => setTimeout(r, 3_000));
    const texts = slack.messages.map((m) => String(m.body.text).split(':')[0]);
    expect(texts).toEqual(['[FIRING critical] cpu-high on web-1', '[RESOLVED] cpu-high on web-1']);
    expect(slack.aborted).toBe(1);
  }, 120_000);
});
