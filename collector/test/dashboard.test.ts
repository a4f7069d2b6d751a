import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_DIR, loadDashboardAssets } from '../src/dashboard-assets.js';
import { DASHBOARD_CSP } from '../src/security-headers.js';
import { encoded, wireBatch } from './helpers/batches.js';
import { call, startTestCollector, type TestCollector } from './helpers/collector-server.js';

// GET / and the dashboard's files over real HTTP (docs/api.md, "The dashboard"): who gets the
// page, who gets the sign-in page, who is refused, and the headers that keep a browser from
// misusing what it loads. The browser itself is driven in test/dashboard-browser.test.ts.

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const HOST_NAME = 'dashboard-secret-host';

let collector: TestCollector;
beforeAll(async () => {
  collector = await startTestCollector();
  const answer = await call(`${collector.url}/api/v1/ingest`, {
    method: 'POST',
    token: collector.tokens.agent,
    headers: { 'content-type': 'application/x-protobuf' },
    body: encoded(wireBatch({ hostName: HOST_NAME })),
  });
  expect(answer.status).toBe(200);
});
afterAll(() => collector?.close());

function page(token?: string, accept = BROWSER_ACCEPT) {
  return call(`${collector.url}/`, { ...(token ? { token } : {}), headers: { accept } });
}

function expectDashboardHeaders(headers: Record<string, unknown>) {
  expect(headers['content-security-policy']).toBe(DASHBOARD_CSP);
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['referrer-policy']).toBe('no-referrer');
}

describe('GET / (the dashboard)', () => {
  it('gives a browser without a token 401 and the sign-in page, not cached', async () => {
    const answer = await page();
    expect(answer.status).toBe(401);
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(answer.headers['www-authenticate']).toBe('Bearer realm="hostpulse"');
    expect(answer.headers['cache-control']).toBe('no-store');
    expectDashboardHeaders(answer.headers);
    expect(answer.json).toContain('<form id="sign-in-form"');
  });

  it('serves the page to viewer, operator and admin tokens', async () => {
    for (const role of ['viewer', 'operator', 'admin'] as const) {
      const answer = await page(collector.tokens[role]);
      expect([role, answer.status]).toEqual([role, 200]);
      expect(answer.headers['cache-control']).toBe('no-store');
      expectDashboardHeaders(answer.headers);
    }
  });

  it('answers the alert links of notifications (/alerts, /alerts/ID) with the same page', async () => {
    for (const path of ['/alerts', '/alerts/01JEXAMPLE']) {
      const anonymous = await call(`${collector.url}${path}`, { headers: { accept: BROWSER_ACCEPT } });
      expect([path, anonymous.status]).toEqual([path, 401]);
      expect(anonymous.json).toContain('<form id="sign-in-form"');
      const viewer = await call(`${collector.url}${path}`, { token: collector.tokens.viewer });
      expect([path, viewer.status]).toEqual([path, 200]);
      expectDashboardHeaders(viewer.headers);
    }
  });

  it('refuses an agent token with 403, even from a browser', async () => {
    const answer = await page(collector.tokens.agent);
    expect(answer.status).toBe(403);
    expect(answer.json.error).toEqual({
      code: 'forbidden',
      message: 'token "agent-1" is an agent token; it may only ingest and ping',
    });
  });

  it('answers JSON 401 to a client that does not ask for HTML', async () => {
    const answer = await page(undefined, 'application/json');
    expect(answer.status).toBe(401);
    expect(answer.json.error.code).toBe('unauthorized');
  });

  it('gives a browser with an unknown token the sign-in page', async () => {
    const answer = await page(`hp_${'x'.repeat(43)}`);
    expect(answer.status).toBe(401);
    expect(answer.json).toContain('<form id="sign-in-form"');
  });

  it('holds no data: the page is the same shell whoever asks, without host names', async () => {
    const signedIn = await page(collector.tokens.viewer);
    const anonymous = await page();
    expect(signedIn.json).toBe(anonymous.json);
    expect(signedIn.json).not.toContain(HOST_NAME);
  });

  it('has no inline script, style or handler, and loads nothing from elsewhere', () => {
    const html = readFileSync(join(DASHBOARD_DIR, 'index.html'), 'utf8');
    for (const tag of html.match(/<script\b[^>]*>/g) ?? []) expect(tag).toMatch(/ src="\/dashboard\//);
    expect(html).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);
  });

  it('never parses data as markup in its scripts', () => {
    for (const asset of loadDashboardAssets().values()) {
      if (!asset.name.endsWith('.js')) continue;
      const code = asset.body.toString('utf8');
      expect(code, asset.name).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
    }
  });
});

describe('the dashboard files under /dashboard/', () => {
  it('serves every listed file without a token, typed, revalidated by ETag', async () => {
    for (const asset of loadDashboardAssets().values()) {
      if (asset.name === 'index.html') continue;
      const url = `${collector.url}/dashboard/${asset.name}`;
      const answer = await call(url);
      expect([asset.name, answer.status]).toEqual([asset.name, 200]);
      expect(answer.headers['content-type']).toBe(asset.contentType);
      expect(answer.headers['cache-control']).toBe('no-cache');
      expect(answer.headers.etag).toBe(asset.etag);
      expectDashboardHeaders(answer.headers);
      const again = await call(url, { headers: { 'if-none-match': asset.etag } });
      expect(again.status).toBe(304);
    }
  });

  it('serves nothing else: unknown names and paths out of the folder are 404', async () => {
    for (const path of ['/dashboard/nope.js', '/dashboard/../package.json', '/dashboard/%2e%2e/package.json', '/dashboard/index.html']) {
      const answer = await call(`${collector.url}${path}`);
      expect([path, answer.status]).toEqual([path, 404]);
    }
  });

  it('refuses to start when a file is missing, naming it', () => {
    expect(() => loadDashboardAssets('/nonexistent-hostpulse-dir')).toThrow(
      'cannot read the dashboard file /nonexistent-hostpulse-dir/index.html; the collector package is incomplete',
    );
  });
});

describe('headers on every answer', () => {
  it('marks API answers, errors included, nosniff and not to be stored', async () => {
    const hosts = await call(`${collector.url}/api/v1/hosts`, { token: collector.tokens.viewer });
    const refused = await call(`${collector.url}/api/v1/hosts`);
    const missing = await call(`${collector.url}/no-such-route`);
    for (const answer of [hosts, refused, missing]) {
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.headers['cache-control']).toBe('no-store');
    }
    expect(hosts.json.hosts.map((host: { name: string }) => host.name)).toEqual([HOST_NAME]);
  });
});
