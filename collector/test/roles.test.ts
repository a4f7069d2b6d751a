import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteEntry } from '../src/route-table.js';
import { call, startTestCollector, type TestCollector } from './helpers/collector-server.js';

// Every route the server registers, read from its route table, so a route added later is
// tested here without anyone listing it: no token gives 401, a token of the wrong kind or too
// low a role gives 403, the least token allowed gets past authorization.

let collector: TestCollector;
beforeAll(async () => {
  collector = await startTestCollector();
});
afterAll(() => collector.close());

type TokenName = 'agent' | 'viewer' | 'operator' | 'admin';
const RANK: Record<TokenName, number> = { agent: 0, viewer: 1, operator: 2, admin: 3 };

function allowed(route: RouteEntry, token: TokenName): boolean {
  if (route.access === 'none' || route.access === 'any') return true;
  if (route.access === 'agent') return token === 'agent';
  return token !== 'agent' && RANK[token] >= RANK[route.access];
}

function urlOf(route: RouteEntry): string {
  // Path parameters get a value that names nothing: a 404 still shows authorization passed.
  return `${collector.url}${route.url.replace(/:[A-Za-z0-9_]+/g, 'no-such-thing')}`;
}

function request(route: RouteEntry, token?: TokenName) {
  const hasBody = route.method === 'POST' || route.method === 'PUT' || route.method === 'PATCH';
  return call(urlOf(route), {
    method: route.method,
    ...(token === undefined ? {} : { token: collector.tokens[token] }),
    ...(hasBody ? { headers: { 'content-type': 'application/json' }, body: Buffer.from('{}') } : {}),
  });
}

describe('authorization on every registered route', () => {
  it('covers the API routes of SPEC §5.4 that exist, and nothing under /api/ is open', () => {
    const routes = collector.app.hostpulseRoutes;
    const api = routes.filter((route) => route.url.startsWith('/api/'));
    expect(api.map((r) => `${r.method} ${r.url}`)).toEqual(
      expect.arrayContaining([
        'POST /api/v1/ingest',
        'GET /api/v1/hosts',
        'GET /api/v1/query',
        'GET /api/v1/audit',
        'GET /api/v1/openapi.json',
      ]),
    );
    expect(api.filter((route) => route.access === 'none')).toEqual([]);
    // The dashboard's files are code without data: the sign-in page needs them before a token.
    const open = routes.filter((r) => r.access === 'none').map((r) => r.url);
    const probes = open.filter((url) => !url.startsWith('/dashboard/'));
    expect(probes.sort()).toEqual(['/healthz', '/metrics', '/readyz']);
    expect(open.filter((url) => url.startsWith('/dashboard/'))).toContain('/dashboard/app.js');
    expect(routes.find((r) => r.url === '/')?.access).toBe('viewer');
  });

  it('answers 401 without a token and 403 to every token it does not allow', async () => {
    const routes = collector.app.hostpulseRoutes.filter((route) => route.access !== 'none');
    const seen: string[] = [];
    for (const route of routes) {
      const name = `${route.method} ${route.url}`;
      const anonymous = await request(route);
      expect(anonymous.status, name).toBe(401);
      expect(anonymous.json.error.code, name).toBe('unauthorized');
      for (const token of ['agent', 'viewer', 'operator', 'admin'] as const) {
        const answer = await request(route, token);
        if (allowed(route, token)) {
          expect([401, 403], `${name} with ${token}`).not.toContain(answer.status);
        } else {
          expect(answer.status, `${name} with ${token}`).toBe(403);
          expect(answer.json.error.code).toBe('forbidden');
        }
      }
      seen.push(name);
    }
    expect(seen.length).toBe(routes.length);
  });

  it('refuses an agent token on every read route: an agent can only ingest and ping', async () => {
    const answer = await call(`${collector.url}/api/v1/query?metric=load_1m`, {
      token: collector.tokens.agent,
    });
    expect(answer.status).toBe(403);
    expect(answer.json.error.message).toBe(
      'token "agent-1" is an agent token; it may only ingest and ping',
    );
  });

  it('checks the token before the parameters, so a stranger learns nothing of the schema', async () => {
    const answer = await call(`${collector.url}/api/v1/query?bogus=1`);
    expect(answer.status).toBe(401);
    const viewer = await call(`${collector.url}/api/v1/query?bogus=1`, {
      token: collector.tokens.viewer,
    });
    expect(viewer.status).toBe(400);
  });

  it('guards the HEAD route Fastify adds beside each GET', async () => {
    const answer = await call(`${collector.url}/api/v1/hosts`, { method: 'HEAD' });
    expect(answer.status).toBe(401);
  });

  it('refuses a revoked token from the next request on', async () => {
    const url = `${collector.url}/api/v1/hosts`;
    expect((await call(url, { token: collector.tokens.operator })).status).toBe(200);
    expect(await collector.storage.revokeToken('operator')).toBe(true);
    const answer = await call(url, { token: collector.tokens.operator });
    expect(answer.status).toBe(401);
    expect(answer.json.error.message).toBe('the token is unknown or revoked');
  });
});
