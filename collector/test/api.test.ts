import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encoded, wireBatch } from './helpers/batches.js';
import { BACKENDS, startOn } from './helpers/backends.js';
import { call, type TestCollector } from './helpers/collector-server.js';

// The read API over real HTTP against each storage backend: roles, hosts, latest values, queries
// raw and stepped, and parameter errors that name the parameter and quote the value.

const T0 = 1_764_000_000_000;

describe.each(BACKENDS)('read API on %s', (backend) => {
  let collector: TestCollector;

  async function ingest(options: Parameters<typeof wireBatch>[0], token = collector.tokens.agent) {
    const answer = await call(`${collector.url}/api/v1/ingest`, {
      method: 'POST',
      token,
      headers: { 'content-type': 'application/x-protobuf' },
      body: encoded(wireBatch(options)),
    });
    expect(answer.status).toBe(200);
  }

  /** GET with the viewer token, another token, or none (null). */
  function get(path: string, token: string | null = collector.tokens.viewer) {
    return call(`${collector.url}${path}`, { token: token ?? undefined });
  }

  beforeAll(async () => {
    collector = await startOn(backend, { yaml: 'host_down_after: 60s\nlimits: { max_query_points: 500 }' });
    // web-1: 12 samples, one every 10 s from T0; db-1: one old batch.
    await ingest({ agentId: 'agent-web', hostName: 'web-1', startMs: T0, samples: 12, labels: { env: 'prod' } });
    await ingest({ agentId: 'agent-db', hostName: 'db-1', startMs: T0 - 3_600_000, samples: 1, labels: { env: 'dev' } }, collector.tokens.otherAgent);
  });
  afterAll(() => collector?.close());

  describe('roles', () => {
    it('answers 401 without a token on every read route', async () => {
      for (const path of ['/api/v1/hosts', '/api/v1/query?metric=x', '/api/v1/hosts/agent-web/latest', '/api/v1/ping']) {
        const answer = await get(path, null);
        expect([path, answer.status, answer.json.error.code]).toEqual([path, 401, 'unauthorized']);
      }
    });

    it('answers 403 to an agent token on /api/v1/query and /api/v1/hosts', async () => {
      const query = await get('/api/v1/query?metric=cpu_usage_percent', collector.tokens.agent);
      expect(query.status).toBe(403);
      expect(query.json.error).toEqual({ code: 'forbidden', message: 'token "agent-1" is an agent token; it may only ingest and ping' });
      expect((await get('/api/v1/hosts', collector.tokens.agent)).status).toBe(403);
    });

    it('lets a viewer and an admin read', async () => {
      expect((await get('/api/v1/hosts')).status).toBe(200);
      expect((await get('/api/v1/hosts', collector.tokens.admin)).status).toBe(200);
    });

    it('answers ping to any live token with its kind and role', async () => {
      const agent = await get('/api/v1/ping', collector.tokens.agent);
      expect(agent.status).toBe(200);
      expect(agent.json).toMatchObject({ tokenKind: 'agent', role: null });
      expect(typeof agent.json.serverTimeMs).toBe('number');
      expect((await get('/api/v1/ping')).json).toMatchObject({ tokenKind: 'api', role: 'viewer' });
    });
  });

  describe('GET /api/v1/hosts', () => {
    it('lists hosts with labels, status judged by host_down_after, version, skew and inventory', async () => {
      collector.setNow(T0 + 150_000);
      const answer = await get('/api/v1/hosts');
      collector.setNow(undefined);
      const byName = Object.fromEntries(answer.json.hosts.map((h: { name: string }) => [h.name, h]));
      expect(byName['web-1']).toMatchObject({ id: 'agent-web', status: 'up', labels: { env: 'prod' }, agentVersion: '0.1.0' });
      expect(byName['web-1'].inventory).toMatchObject({ os: 'Debian 12', cpuCount: 2 });
      expect(typeof byName['web-1'].clockSkewMs).toBe('number');
      expect(typeof byName['web-1'].lastSeenMs).toBe('number');
      expect(byName['db-1']).toMatchObject({ id: 'agent-db', status: 'up' });

      collector.setNow(Date.now() + 120_000);
      const later = await get('/api/v1/hosts');
      collector.setNow(undefined);
      expect(later.json.hosts.map((h: { status: string }) => h.status)).toEqual(['down', 'down']);
    });
  });

  describe('GET /api/v1/hosts/:id/latest', () => {
    it('gives the latest value of each series, by id or by name', async () => {
      for (const key of ['agent-web', 'web-1']) {
        const answer = await get(`/api/v1/hosts/${key}/latest`);
        expect(answer.status).toBe(200);
        expect(answer.json.host).toEqual({ id: 'agent-web', name: 'web-1' });
        expect(answer.json.series).toEqual([{ metric: 'cpu_usage_percent', labels: { env: 'prod' }, timeMs: T0 + 110_000, value: 21 }]);
      }
    });

    it('answers 404 not_found for an unknown host', async () => {
      const answer = await get('/api/v1/hosts/nope/latest');
      expect(answer.status).toBe(404);
      expect(answer.json.error).toEqual({ code: 'not_found', message: 'host "nope" is not known (GET /api/v1/hosts lists them)' });
    });
  });

  describe('GET /api/v1/hosts/:id/gaps', () => {
    it('shows the batches the agent had to drop, by id or by name', async () => {
      const gaps = [
        { fromMs: T0 - 60_000, toMs: T0 - 20_000, batches: 5, reason: 'buffer_full' },
        { fromMs: T0 - 10_000, toMs: T0 - 10_000, batches: 1, reason: 'too_old' },
      ];
      // A batch with no series: it carries only the gap records, so the latest values stay.
      const batch = { ...wireBatch({ agentId: 'agent-web', hostName: 'web-1', seq: 2 }), series: [], gaps };
      const stored = await call(`${collector.url}/api/v1/ingest`, {
        method: 'POST',
        token: collector.tokens.agent,
        headers: { 'content-type': 'application/x-protobuf' },
        body: encoded(batch),
      });
      expect(stored.status).toBe(200);
      for (const key of ['agent-web', 'web-1']) {
        const answer = await get(`/api/v1/hosts/${key}/gaps`);
        expect(answer.status).toBe(200);
        expect(answer.json).toEqual({ host: { id: 'agent-web', name: 'web-1' }, droppedBatches: 6, gaps });
      }
      expect((await get('/api/v1/hosts/agent-db/gaps')).json.gaps).toEqual([]);
      expect((await get('/api/v1/hosts/nope/gaps')).status).toBe(404);
      expect((await get('/api/v1/hosts/agent-web/gaps', collector.tokens.agent)).status).toBe(403);
    });
  });

  describe('GET /api/v1/query', () => {
    const range = `from=${T0}&to=${T0 + 120_000}`;
    const span = '2025-11-24T16:00:00.000Z to 2025-11-24T16:02:00.000Z';

    it('refuses a NUL byte in a parameter with 400 naming it, after the token is checked', async () => {
      const cases = [
        ['/api/v1/query?metric=cpu_usage_percent&host=%00', 'query parameter host'],
        ['/api/v1/query?metric=cpu_usage_percent&label.env=prod%00', 'query parameter label.env'],
        ['/api/v1/hosts/a%00b/latest', 'path parameter id'],
        ['/api/v1/hosts/%00/gaps', 'path parameter id'],
      ] as const;
      for (const [path, named] of cases) {
        const answer = await get(path);
        expect(answer.status, path).toBe(400);
        expect(answer.json.error.code).toBe('bad_request');
        expect(answer.json.error.message).toContain(`${named} holds a NUL byte`);
        expect((await get(path, null)).status, path).toBe(401);
      }
      expect((await get(`/api/v1/query?metric=cpu_usage_percent&host=web-1&${range}`)).status).toBe(200);
    });

    it('returns raw samples without a step', async () => {
      const answer = await get(`/api/v1/query?metric=cpu_usage_percent&host=web-1&${range}`);
      expect(answer.status).toBe(200);
      expect(answer.json.series).toHaveLength(1);
      const [series] = answer.json.series;
      expect(series).toMatchObject({ metric: 'cpu_usage_percent', host: 'web-1', labels: { env: 'prod' } });
      expect(series.points).toHaveLength(12);
      expect(series.points[0]).toEqual([T0, 10]);
    });

    it('returns one aggregated point per step', async () => {
      const from = new Date(T0).toISOString();
      const to = new Date(T0 + 120_000).toISOString();
      const avg = await get(`/api/v1/query?metric=cpu_usage_percent&host=agent-web&from=${from}&to=${to}&step=1m`);
      expect(avg.status).toBe(200);
      const points: [number, number][] = avg.json.series[0].points;
      expect(points.length).toBeGreaterThanOrEqual(2);
      expect(points.length).toBeLessThanOrEqual(3);
      const max = await get(`/api/v1/query?metric=cpu_usage_percent&host=web-1&${range}&step=60000&agg=max`);
      const maxima = max.json.series[0].points.map((p: [number, number]) => p[1]);
      expect(Math.max(...maxima)).toBe(21);
    });

    it('takes a step as long as the range, its points stamped inside the range', async () => {
      const path = `/api/v1/query?metric=cpu_usage_percent&host=web-1&${range}&step=2m&agg=max`;
      const answer = await get(path);
      expect(answer.status).toBe(200);
      // T0 is a whole number of 2-minute steps from the epoch, so its bucket starts at from.
      expect(answer.json.series[0].points).toEqual([[T0, 21]]);
    });

    it('refuses a step longer than the default range, the hour before now', async () => {
      const answer = await get('/api/v1/query?metric=cpu_usage_percent&step=100d');
      expect(answer.status).toBe(400);
      const { message } = answer.json.error;
      expect(message).toMatch(/^query parameter step: "100d" is longer than the range \(1h, \S+ to \S+\); /);
      expect(message).toMatch(/; use a step of at most 1h or a longer range$/);
    });

    it('filters by label and by host', async () => {
      const all = await get(`/api/v1/query?metric=cpu_usage_percent&from=${T0 - 4_000_000}&to=${T0 + 120_000}`);
      expect(all.json.series.map((s: { host: string }) => s.host).sort()).toEqual(['db-1', 'web-1']);
      const dev = await get(`/api/v1/query?metric=cpu_usage_percent&label.env=dev&from=${T0 - 4_000_000}&to=${T0 + 120_000}`);
      expect(dev.json.series.map((s: { host: string }) => s.host)).toEqual(['db-1']);
    });

    it.each([
      ['metric=cpu_usage_percent&from=yesterday', 'query parameter from: "yesterday" is not a time (write epoch milliseconds or RFC 3339 like 2026-12-04T15:00:00Z)'],
      ['metric=cpu_usage_percent&from=2026-02-30T00:00:00Z', 'query parameter from: "2026-02-30T00:00:00Z" is a date that does not exist (February 2026 has 28 days)'],
      ['metric=cpu_usage_percent&to=2026-04-01T25:00:00Z', 'query parameter to: "2026-04-01T25:00:00Z" is a date that does not exist (hours run from 00 to 23)'],
      ['metric=cpu_usage_percent&step=soon', 'query parameter step: "soon" is not a positive duration (write 30s, 5m or 60000)'],
      ['metric=cpu_usage_percent&agg=median', 'query parameter agg: "median" is not one of avg, min, max, last'],
      ['metric=cpu_usage_percent&agg=max', 'query parameter agg: needs step (without step the raw samples are returned)'],
      ['from=1', 'query parameter metric: is required'],
      ['metric=cpu%20usage', 'query parameter metric: "cpu usage" must match pattern "^[a-zA-Z_:][a-zA-Z0-9_:]*$"'],
      ['metric=cpu_usage_percent&hots=web-1', 'query parameter "hots" is not known here (known: metric, host, from, to, step, agg, label.KEY)'],
      ['metric=cpu_usage_percent&from=2000&to=1000', 'query parameter from: "2000" is after to (1970-01-01T00:00:01.000Z)'],
      [`metric=cpu_usage_percent&${range}&step=1ms`, 'query parameter step: "1ms" gives more than 500 points over this range (use a longer step or a shorter range)'],
      [`metric=cpu_usage_percent&${range}&step=3m`, `query parameter step: "3m" is longer than the range (2m, ${span}); use a step of at most 2m or a longer range`],
      [`metric=cpu_usage_percent&${range}&step=1000000000000000`, `query parameter step: "1000000000000000" is longer than the range (2m, ${span}); use a step of at most 2m or a longer range`],
    ])('answers 400 bad_request to %s', async (params, message) => {
      const answer = await get(`/api/v1/query?${params}`);
      expect(answer.status).toBe(400);
      expect(answer.json).toEqual({ error: { code: 'bad_request', message } });
    });

    it('answers 404 not_found for an unknown host', async () => {
      const answer = await get('/api/v1/query?metric=cpu_usage_percent&host=web-9');
      expect(answer.status).toBe(404);
      expect(answer.json.error).toEqual({ code: 'not_found', message: 'host "web-9" is not known (GET /api/v1/hosts lists them)' });
    });
  });

  describe('health', () => {
    it('answers /healthz and /readyz without a token', async () => {
      expect(await get('/healthz', null)).toMatchObject({ status: 200, json: { status: 'ok' } });
      expect(await get('/readyz', null)).toMatchObject({ status: 200, json: { status: 'ready' } });
    });

    it('answers an unknown path with 404 not_found', async () => {
      const answer = await get('/api/v1/nothing');
      expect(answer).toMatchObject({ status: 404, json: { error: { code: 'not_found' } } });
    });
  });
});
