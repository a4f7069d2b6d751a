import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../collector/test/helpers/pg.js';
import { agentYamlWithoutSamplers, api, apiToken, sleep } from './helpers/e2e.js';
import { tempDir, waitFor } from './helpers/processes.js';
import { prepareStack, type Stack } from './helpers/stack.js';
import { startSlackStandIn, type SlackStandIn } from './helpers/stand-ins.js';

// SPEC §3.1 and §5.3 with real processes: an agent stopped with SIGTERM says goodbye, so its
// host is `stopped` and nobody is paged; an agent killed with SIGKILL goes silent, so after
// host_down_after (3 s here) the built-in host-down alert fires on Slack, and resolves when the
// agent is back.

const DOWN_AFTER_S = 3;

describe('host stopped or down', () => {
  const dir = tempDir('host-down');
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let slack: SlackStandIn;
  let stack: Stack;
  let viewer: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    slack = await startSlackStandIn();
    stack = await prepareStack(dir.path, db.url, {
      intervalS: 1,
      agentYaml: agentYamlWithoutSamplers('checks: []\n'),
      collectorYaml: `host_down_after: ${DOWN_AFTER_S}s
notifiers:
  - { name: ops-slack, type: slack, webhook_url: "${slack.url}" }
`,
    });
    viewer = apiToken(stack.collectorConfig, 'e2e-viewer', 'viewer');
  });

  afterAll(async () => {
    await stack?.stopAll();
    await slack?.close();
    await db?.drop();
    dir.remove();
  });

  const onlyHost = async () => {
    const { hosts } = await api(stack.url, viewer, '/api/v1/hosts');
    expect(hosts).toHaveLength(1);
    return hosts[0];
  };
  const hostDownMessages = () =>
    slack.messages.map((m) => JSON.stringify(m.body)).filter((t) => /host-down/.test(t));

  it('SIGTERM: stopped and no page; SIGKILL: host-down fires, restart resolves it', async () => {
    await stack.startCollector();
    stack.startAgent();
    await waitFor('the host up', async () => (await onlyHost()).status === 'up' || undefined);

    expect(await stack.agent?.stop('SIGTERM')).toBe(0);
    const stopped = async () => (await onlyHost()).status === 'stopped' || undefined;
    await waitFor('the host stopped', stopped);
    // Well past host_down_after: a planned stop pages nobody and stays `stopped`.
    await sleep((DOWN_AFTER_S + 3) * 1000);
    expect((await onlyHost()).status).toBe('stopped');
    expect(hostDownMessages()).toEqual([]);

    stack.startAgent('agent-2');
    await waitFor('the host up again', async () => (await onlyHost()).status === 'up' || undefined);
    await stack.agent?.stop('SIGKILL');
    const killedMs = Date.now();
    const fired = await waitFor('the host-down page', () => hostDownMessages()[0], 20_000);
    // Its last batch left at most one interval (1 s) before the kill.
    expect(Date.now() - killedMs).toBeGreaterThanOrEqual((DOWN_AFTER_S - 1) * 1000);
    expect(fired).toMatch(/critical/i);
    expect((await onlyHost()).status).toBe('down');

    stack.startAgent('agent-3');
    await waitFor('the host-down resolution', () =>
      hostDownMessages().find((t) => /resolved/i.test(t)), 20_000);
    expect((await onlyHost()).status).toBe('up');
    expect(hostDownMessages().filter((t) => !/resolved/i.test(t))).toHaveLength(1);
  }, 60_000);
});
