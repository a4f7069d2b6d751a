import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../collector/test/helpers/pg.js';
import { api, apiToken } from './helpers/e2e.js';
import { collectorBin, startProcess, tempDir, writeFile } from './helpers/processes.js';
import type { RunningProcess } from './helpers/processes.js';
import { prepareStack, type Stack } from './helpers/stack.js';

// SPEC §5.1: `hostpulse-collector simulate` as a separate process against a real collector:
// five synthetic hosts pushing every second for five seconds show up in GET /api/v1/hosts,
// stopped once the run is over, and /api/v1/query answers with their points.

describe('simulate against a real collector', () => {
  const dir = tempDir('simulate-fleet');
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let stack: Stack;
  let simulator: RunningProcess | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    stack = await prepareStack(dir.path, db.url, { intervalS: 1 });
  });

  afterAll(async () => {
    await simulator?.stop();
    await stack?.stopAll();
    await db?.drop();
    dir.remove();
  });

  it('five hosts appear and their series can be queried', async () => {
    await stack.startCollector();
    const viewer = apiToken(stack.collectorConfig, 'e2e-viewer', 'viewer');
    const tokenFile = writeFile(dir.path, 'agent.token', `${stack.token}\n`);
    const args = ['simulate', '--agents', '5', '--interval', '1s', '--duration', '5s'];
    args.push('--url', stack.url, '--token-file', tokenFile);
    simulator = startProcess('simulate', collectorBin, args, dir.path);
    expect(await simulator.waitExit(), simulator.log()).toBe(0);

    // The run ended on its duration: each agent said goodbye, as a stopped agent does.
    const { hosts } = await api(stack.url, viewer, '/api/v1/hosts');
    expect(hosts).toHaveLength(5);
    for (const host of hosts) expect(host.status).toBe('stopped');

    const name = hosts[0].name as string;
    const path = `/api/v1/query?metric=cpu_usage_percent&host=${encodeURIComponent(name)}`;
    const query = await api(stack.url, viewer, path);
    expect(query.series.length).toBeGreaterThan(0);
    const points = query.series.flatMap((s: any) => s.points);
    expect(points.length).toBeGreaterThanOrEqual(4);
    for (const [t, v] of points) {
      expect(Math.abs(Date.now() - t)).toBeLessThan(60_000);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(100);
    }
    expect(query.series[0].host).toBe(name);
    const everyHost = '/api/v1/query?metric=cpu_usage_percent&step=2s&agg=max';
    const stepped = await api(stack.url, viewer, everyHost);
    expect(new Set(stepped.series.map((s: any) => s.host)).size).toBe(5);
  }, 60_000);
});
