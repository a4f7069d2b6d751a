import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { silentLogger } from '@hostpulse/shared';
import { createAlerting, type AlertingService } from '../src/alerting/create-alerting.js';
import type { RuleConfig } from '../src/alerting/rule-config.js';
import { createAlertStore } from '../src/alerting/store/open-alert-store.js';
import { generateToken, hashToken } from '../src/auth.js';
import { loadCollectorConfig, type CollectorConfig } from '../src/config.js';
import { buildServer } from '../src/server.js';
import { openStorage } from '../src/storage/open-storage.js';
import type { Role, Storage } from '../src/storage/storage.js';
import { encoded, wireBatch } from './helpers/batches.js';
import { BACKENDS } from './helpers/backends.js';
import { createTestDatabase, type TestDatabase } from './helpers/pg.js';

// The operator API over real HTTP with real alerting on each storage backend: roles (401 with
// no token, 403 with too small a role), listing by state, an alert's history, acknowledging,
// silences created, listed and expired, rules with their counts, and request bodies refused.

const cpuCritical: RuleConfig = {
  name: 'cpu-high',
  metric: 'cpu_usage_percent',
  match: { host: 'web-*' },
  thresholds: [{ severity: 'critical', above: 95, forMs: 0 }],
  clear: { below: 75 },
  notify: [],
};

describe.each(BACKENDS)('alert API on %s', (backend) => {
  let storage: Storage;
  let alerting: AlertingService;
  let url: string;
  let close: () => Promise<void>;
  const tokens = { agent: '', viewer: '', operator: '', admin: '' };
  let seq = 0;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hostpulse-alert-api-'));
    const database: TestDatabase | undefined =
      backend === 'postgres' ? await createTestDatabase() : undefined;
    storage = await openStorage({ databaseUrl: database?.url, poolMax: 4, dataDir: dir, log: silentLogger() });
    await storage.migrate();
    tokens.agent = await addToken(storage, 'agent-1', null);
    tokens.viewer = await addToken(storage, 'vera', 'viewer');
    tokens.operator = await addToken(storage, 'oscar', 'operator');
    tokens.admin = await addToken(storage, 'ada', 'admin');
    const store = createAlertStore(storage);
    const log = silentLogger();
    alerting = createAlerting({ rules: [cpuCritical], notifiers: new Map(), store, log, tickMs: 0 });
    const config = baseConfig(dir);
    const app = buildServer({ config, storage, alerting, log });
    alerting.start();
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    close = async () => {
      await app.close();
      await alerting.stop();
      await storage.close();
      await database?.drop();
      rmSync(dir, { recursive: true, force: true });
    };
  });
  afterAll(() => close?.());

  async function ingest(hostName: string, value: number): Promise<void> {
    const batch = wireBatch({ agentId: `agent-${hostName}`, hostName, seq: ++seq, startMs: Date.now() - 1_000, samples: 1 });
    batch.series![0]!.values = [value];
    const answer = await call('POST', '/api/v1/ingest', tokens.agent, encoded(batch), 'application/x-protobuf');
    expect(answer.status).toBe(200);
    await alerting.idle();
  }

  async function call(method: 'GET' | 'POST' | 'DELETE', path: string, token: string | null, body?: unknown, type = 'application/json') {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = type;
    const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : JSON.stringify(body);
    const response = await request(`${url}${path}`, { method, headers, body: payload });
    const text = await response.body.text();
    return { status: response.statusCode, json: text ? JSON.parse(text) : undefined };
  }

  it('answers 401 without a token and 403 to a role too small, on every new route', async () => {
    const routes: [('GET' | 'POST' | 'DELETE'), string, string][] = [
      ['GET', '/api/v1/alerts', 'viewer'],
      ['GET', '/api/v1/alerts/x', 'viewer'],
      ['GET', '/api/v1/rules', 'viewer'],
      ['POST', '/api/v1/alerts/x/ack', 'operator'],
      ['GET', '/api/v1/silences', 'operator'],
      ['POST', '/api/v1/silences', 'operator'],
      ['DELETE', '/api/v1/silences/x', 'operator'],
    ];
    for (const [method, path, role] of routes) {
      const body = method === 'POST' ? {} : undefined;
      const none = await call(method, path, null, body);
      expect([method, path, none.status, none.json.error.code]).toEqual([method, path, 401, 'unauthorized']);
      const weaker = role === 'viewer' ? tokens.agent : tokens.viewer;
      const refused = await call(method, path, weaker, body);
      expect([method, path, refused.status, refused.json.error.code]).toEqual([method, path, 403, 'forbidden']);
    }
    const answer = await call('POST', '/api/v1/silences', tokens.viewer, {});
    expect(answer.json.error.message).toBe('token "vera" has role viewer; this needs operator or above');
  });

  it('lists alerts by state, acknowledges one and shows its history', async () => {
    await ingest('web-1', 97);
    const firing = await call('GET', '/api/v1/alerts?state=firing', tokens.viewer);
    expect(firing.status).toBe(200);
    expect(firing.json.alerts).toHaveLength(1);
    const alert = firing.json.alerts[0];
    expect(alert).toMatchObject({ rule: 'cpu-high', state: 'firing', severity: 'critical', host: { name: 'web-1' } });
    expect(alert.summary).toBe('cpu_usage_percent is 97 on web-1');

    const acked = await call('POST', `/api/v1/alerts/${alert.id}/ack`, tokens.operator, { comment: 'on it' });
    expect(acked.status).toBe(200);
    expect(acked.json.alert).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'oscar' });
    expect((await call('GET', '/api/v1/alerts?state=firing', tokens.viewer)).json.alerts).toHaveLength(0);
    expect((await call('GET', '/api/v1/alerts?state=acknowledged', tokens.viewer)).json.alerts).toHaveLength(1);

    const detail = await call('GET', `/api/v1/alerts/${alert.id}`, tokens.viewer);
    expect(detail.status).toBe(200);
    const { history } = detail.json.alert;
    expect(history.transitions.map((t: { from: string; to: string }) => `${t.from}>${t.to}`)).toEqual([
      'null>firing',
      'firing>acknowledged',
    ]);
    expect(history.acknowledgements).toMatchObject([{ author: 'oscar', comment: 'on it' }]);
    expect(history.outbox).toEqual([]);
    const audit = await storage.listAudit({ action: 'alert.ack', limit: 10 });
    expect(audit).toMatchObject([
      { actor: 'oscar', action: 'alert.ack', target: alert.id, detail: { comment: 'on it' } },
    ]);
    expect(audit[0]!.remoteAddress).toBe('127.0.0.1');

    const rules = await call('GET', '/api/v1/rules', tokens.viewer);
    const cpu = rules.json.rules.find((r: { name: string }) => r.name === 'cpu-high');
    expect(cpu.alerts).toEqual({ pending: 0, firing: 0, acknowledged: 1, suppressed: 0 });
    expect(rules.json.rules.map((r: { name: string }) => r.name)).toEqual(['cpu-high', 'host-down']);

    const twice = await call('POST', `/api/v1/alerts/${alert.id}/ack`, tokens.operator, { comment: 'me too' });
    expect([twice.status, twice.json.error.code]).toEqual([400, 'bad_request']);
    const ackedAt = new Date(acked.json.alert.acknowledgedMs).toISOString();
    expect(twice.json.error.message).toBe(`alert "${alert.id}" is already acknowledged by oscar at ${ackedAt}`);
    const kept = (await call('GET', `/api/v1/alerts/${alert.id}`, tokens.viewer)).json.alert.history;
    expect(kept.acknowledgements).toHaveLength(1);
    expect(kept.transitions).toHaveLength(2);
    expect(await storage.listAudit({ action: 'alert.ack', limit: 10 })).toHaveLength(1);

    await ingest('web-1', 50);
    const again = await call('POST', `/api/v1/alerts/${alert.id}/ack`, tokens.operator);
    expect(again.status).toBe(400);
    expect(again.json.error.message).toBe(`alert "${alert.id}" is resolved; only a firing alert can be acknowledged`);
    const unknown = await call('POST', '/api/v1/alerts/nope/ack', tokens.operator, {});
    expect([unknown.status, unknown.json.error.code]).toEqual([404, 'not_found']);
  });

  it('creates a silence under the token name, suppresses matching alerts, lists and expires it', async () => {
    const created = await call('POST', '/api/v1/silences', tokens.operator, {
      matchers: { host: 'web-2' },
      duration: '1h',
      comment: 'replacing a disk',
    });
    expect(created.status).toBe(201);
    const silence = created.json.silence;
    expect(silence).toMatchObject({ author: 'oscar', comment: 'replacing a disk', matchers: { host: 'web-2' } });
    expect(silence.endsMs - silence.startsMs).toBe(3_600_000);

    await ingest('web-2', 99);
    const suppressed = await call('GET', '/api/v1/alerts?state=suppressed', tokens.viewer);
    expect(suppressed.json.alerts).toMatchObject([{ host: { name: 'web-2' }, silenceId: silence.id }]);

    const listed = await call('GET', '/api/v1/silences', tokens.operator);
    expect(listed.json.silences.map((s: { id: string }) => s.id)).toEqual([silence.id]);
    const expired = await call('DELETE', `/api/v1/silences/${silence.id}`, tokens.operator);
    expect(expired.json.silence).toMatchObject({ expiredBy: 'oscar' });
    expect((await call('GET', '/api/v1/silences', tokens.operator)).json.silences).toEqual([]);
    expect((await call('GET', '/api/v1/silences?all=true', tokens.operator)).json.silences).toHaveLength(1);
    const firing = await call('GET', '/api/v1/alerts?state=firing', tokens.viewer);
    expect(firing.json.alerts).toMatchObject([{ host: { name: 'web-2' }, silenceId: null }]);

    const audit = await storage.listAudit({ limit: 10 });
    const silenceRows = audit.filter((row) => row.target === silence.id);
    expect(silenceRows.map((row) => `${row.actor} ${row.action}`).sort()).toEqual([
      'oscar silence.create',
      'oscar silence.delete',
    ]);
    const gone = await call('DELETE', '/api/v1/silences/nope', tokens.operator);
    expect([gone.status, gone.json.error.code]).toEqual([404, 'not_found']);
  });

  it('refuses bad bodies and parameters with the key and the value', async () => {
    const bad = async (body: unknown) => (await call('POST', '/api/v1/silences', tokens.operator, body)).json.error;
    expect(await bad({ matchers: {}, duration: '1h', comment: 'x' })).toMatchObject({ code: 'bad_request' });
    expect(await bad({ matchers: { host: 'a' }, duration: '1h', comment: 'x', colour: 1 })).toMatchObject({
      code: 'bad_request',
    });
    expect(await bad({ matchers: { host: 'a' }, comment: 'x' })).toEqual({
      code: 'bad_request',
      message: 'body: give exactly one of ends_at and duration',
    });
    expect(await bad({ matchers: { host: 'a' }, duration: 'soon', comment: 'x' })).toEqual({
      code: 'bad_request',
      message: 'body duration: "soon" is not a duration (write 2h or 30m)',
    });
    expect((await bad({ matchers: { host: 'a' }, ends_at: 'tomorrow', comment: 'x' })).message).toMatch(
      /^body ends_at: "tomorrow" is not a time \(write epoch milliseconds/,
    );
    // Only ingest turns unparsable JSON into batch_invalid; here it stays Fastify's own answer.
    expect(await bad(Buffer.from('{"matchers":'))).toEqual({
      code: 'bad_request',
      message: "Body is not valid JSON but content-type is set to 'application/json'",
    });
    const state = await call('GET', '/api/v1/alerts?state=burning', tokens.viewer);
    expect(state.status).toBe(400);
    expect(state.json.error.message).toContain('state');
  });

  it('refuses a matcher that is not a string, an ends_at in the past, an unknown audit action', async () => {
    const post = (body: unknown) => call('POST', '/api/v1/silences', tokens.operator, body);
    const number = await post({ matchers: { host: 'web-1', rule: 5 }, duration: '1h', comment: 'x' });
    expect(number.status).toBe(400);
    expect(number.json.error).toEqual({
      code: 'bad_request',
      message: 'body matchers.rule: 5 is not a string (write a glob in quotes)',
    });
    const past = { matchers: { host: 'a' }, ends_at: Date.now() - 60_000, comment: 'x' };
    expect((await post(past)).json.error.message).toBe('body ends_at: is in the past');
    const now = Date.now();
    const hours = (h: number) => now + h * 3_600_000;
    const before = { matchers: { host: 'a' }, starts_at: hours(2), ends_at: hours(1), comment: 'x' };
    expect((await post(before)).json.error.message).toBe('body ends_at: must be after starts_at');
    const since = await post({ matchers: { host: 'a' }, starts_at: 'later', duration: '1h', comment: 'x' });
    expect(since.json.error.message).toMatch(/^body starts_at: "later" is not a time/);
    expect(number.json.error.message).not.toContain('query parameter');
    const leap = await post({ matchers: { host: 'a' }, starts_at: '2027-02-29T00:00:00Z', duration: '1h', comment: 'x' });
    expect(leap.json.error).toEqual({
      code: 'bad_request',
      message: 'body starts_at: "2027-02-29T00:00:00Z" is a date that does not exist (February 2027 has 28 days)',
    });

    const since31 = await call('GET', '/api/v1/audit?since=2026-04-31T00:00:00Z', tokens.admin);
    expect(since31.status).toBe(400);
    expect(since31.json.error.message).toBe(
      'query parameter since: "2026-04-31T00:00:00Z" is a date that does not exist (April 2026 has 30 days)',
    );

    const foo = await call('GET', '/api/v1/audit?action=foo', tokens.admin);
    expect(foo.status).toBe(400);
    expect(foo.json.error.message).toBe(
      'query parameter action: "foo" is not one of ' +
        'token.create, token.revoke, alert.ack, silence.create, silence.delete',
    );
    const known = await call('GET', '/api/v1/audit?action=silence.create', tokens.admin);
    expect(known.status).toBe(200);
  });
});

async function addToken(storage: Storage, name: string, role: Role | null): Promise<string> {
  const token = generateToken();
  await storage.createToken({ name, kind: role === null ? 'agent' : 'api', role, hash: hashToken(token) });
  return token;
}

/** A real collector.yaml through the real loader, so every key has its default. */
function baseConfig(dir: string): CollectorConfig {
  const file = join(dir, 'collector.yaml');
  writeFileSync(file, `listen: 127.0.0.1:0\ndata_dir: ${dir}\nhost_down_after: 60s\nlog_level: silent\n`);
  return loadCollectorConfig(file, {});
}
