import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@hostpulse/shared';
import { createAlerting } from '../src/alerting/create-alerting.js';
import { createAlertStore } from '../src/alerting/store/open-alert-store.js';
import { generateToken, hashToken } from '../src/auth.js';
import { loadCollectorConfig } from '../src/config.js';
import { buildServer } from '../src/server.js';
import { openStorage } from '../src/storage/open-storage.js';
import { encoded, wireBatch } from './helpers/batches.js';
import { call, startTestCollector, type TestCollector } from './helpers/collector-server.js';

// The edges of the HTTP contract over real HTTP (docs/api.md, "Errors"): the longest ids and
// names ingest stores can be read back, and what Fastify's router refuses still answers
// {"error":{"code","message"}}. The storage backend plays no part here, so SQLite only.

interface RawAnswer {
  readonly status: number;
  readonly head: string;
  readonly json: any;
}

/**
 * Sends `head` as it is (request line and headers, without the blank line) and reads until the
 * collector closes: undici would refuse to send some of these requests at all.
 */
function rawRequest(url: string, head: string): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [headPart = '', body = ''] = text.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(headPart)?.[1]);
      resolve({ status, head: headPart, json: JSON.parse(body) });
    });
    socket.end(`${head}\r\nhost: ${hostname}\r\nconnection: close\r\n\r\n`);
  });
}

describe('HTTP edges', () => {
  let collector: TestCollector;

  function get(path: string, token: string | null = collector.tokens.viewer) {
    return call(`${collector.url}${path}`, { token: token ?? undefined });
  }

  async function ingest(options: Parameters<typeof wireBatch>[0], labels: Record<string, string> = {}) {
    const batch = wireBatch({ startMs: Date.now() - 60_000, samples: 1, ...options });
    batch.series![0]!.labels = labels;
    const answer = await call(`${collector.url}/api/v1/ingest`, {
      method: 'POST',
      token: collector.tokens.agent,
      headers: { 'content-type': 'application/x-protobuf' },
      body: encoded(batch),
    });
    expect(answer.status, JSON.stringify(answer.json)).toBe(200);
  }

  beforeAll(async () => {
    collector = await startTestCollector();
  });
  afterAll(() => collector?.close());

  describe('path parameters', () => {
    // The longest of each that ingest takes; € is 3 bytes of UTF-8, 9 characters in a URL.
    const longId = 'a'.repeat(128);
    const longName = '€'.repeat(253);

    it('reads a host back by the longest id and name ingest stores', async () => {
      await ingest({ agentId: longId, hostName: longName });
      for (const key of [longId, longName]) {
        const answer = await get(`/api/v1/hosts/${encodeURIComponent(key)}/latest`);
        expect(answer.status).toBe(200);
        expect(answer.json.host).toEqual({ id: longId, name: longName });
        const gaps = await get(`/api/v1/hosts/${encodeURIComponent(key)}/gaps`);
        expect(gaps.status).toBe(200);
      }
    });

    it('refuses an id longer than any stored with 400 naming the limit, after the token', async () => {
      const path = `/api/v1/hosts/${'b'.repeat(254)}/latest`;
      const answer = await get(path);
      expect(answer.status).toBe(400);
      expect(answer.json.error).toEqual({
        code: 'bad_request',
        message: `path parameter id: "${'b'.repeat(77)}..." is longer than 253 characters`,
      });
      expect((await get(path, null)).status).toBe(401);
    });

    it('answers a parameter past what the router reads in our form, token or not', async () => {
      const path = `/api/v1/hosts/${'c'.repeat(2278)}/latest`;
      for (const token of [collector.tokens.viewer, null]) {
        const answer = await get(path, token);
        expect(answer.status).toBe(400);
        expect(answer.json).toEqual({
          error: {
            code: 'bad_request',
            message:
              'a path parameter is longer than 2277 characters as written in the URL; ' +
              'no id or name the collector stores is that long',
          },
        });
        expect(answer.headers['x-content-type-options']).toBe('nosniff');
      }
    });
  });

  describe('requests refused before routing', () => {
    const bearer = () => `authorization: Bearer ${collector.tokens.viewer}`;

    it('answers a path that is not valid URL encoding in our form, token or not', async () => {
      for (const auth of [bearer(), 'x-none: 1']) {
        const answer = await rawRequest(collector.url, `GET /api/v1/hosts/a%ZZ/latest HTTP/1.1\r\n${auth}`);
        expect(answer.status).toBe(400);
        expect(answer.json).toEqual({
          error: {
            code: 'bad_request',
            message:
              'the path "/api/v1/hosts/a%ZZ/latest" is not valid URL encoding: each % starts %XX ' +
              '(two hex digits) and the bytes must be UTF-8; write % itself as %25',
          },
        });
      }
    });

    it('answers a URL and headers over 16 KiB with 431 in our form', async () => {
      const path = `/api/v1/query?metric=m&label.a=${'x'.repeat(17_000)}`;
      const answer = await rawRequest(collector.url, `GET ${path} HTTP/1.1\r\n${bearer()}`);
      expect(answer.status).toBe(431);
      expect(answer.json).toEqual({
        error: {
          code: 'bad_request',
          message:
            'the request line and headers are larger than the 16 KiB Node reads; ' +
            'shorten the URL (fewer or shorter query parameters) or the headers',
        },
      });
      expect(answer.head).toContain('x-content-type-options: nosniff');
    });

    it('answers a control character in the Authorization header in our form', async () => {
      const head = `GET /api/v1/hosts HTTP/1.1\r\nauthorization: Bearer hp_a\u0001b`;
      const answer = await rawRequest(collector.url, head);
      expect(answer.status).toBe(400);
      expect(answer.json.error.code).toBe('bad_request');
      expect(answer.json.error.message).toContain('a header name or value holds a character HTTP does not allow');
    });

    it('answers a request that is not HTTP in our form', async () => {
      const answer = await rawRequest(collector.url, 'HELLO / HTTP/1.1');
      expect(answer.status).toBe(400);
      expect(answer.json.error.code).toBe('bad_request');
      expect(answer.json.error.message).toMatch(/^the request is not valid HTTP/);
    });

    it('goes on serving after them', async () => {
      expect((await get('/api/v1/hosts')).status).toBe(200);
    });
  });

  describe('label values', () => {
    it('finds a series by the longest label value ingest stores, and refuses a longer one', async () => {
      const value = 'v'.repeat(1024);
      await ingest({ agentId: 'agent-labels', hostName: 'labels-1', metric: 'long_label' }, { lv: value });
      const found = await get(`/api/v1/query?metric=long_label&label.lv=${value}`);
      expect(found.status).toBe(200);
      expect(found.json.series.map((s: { labels: { lv: string } }) => s.labels.lv)).toEqual([value]);

      const longer = await get(`/api/v1/query?metric=long_label&label.lv=${value}v`);
      expect(longer.status).toBe(400);
      expect(longer.json.error).toEqual({
        code: 'bad_request',
        message: `query parameter label.lv: "${'v'.repeat(77)}..." is longer than 1024 characters`,
      });
    });
  });

  describe('wording', () => {
    it.each([
      ['metric=a&metric=b', 'query parameter metric: given 2 times ("a", "b"); give it once'],
      ['metric=m&label.env=a&label.env=b', 'query parameter label.env: given 2 times ("a", "b"); give it once'],
      [
        'metric=m&step=99999999999999999999',
        'query parameter step: "99999999999999999999" is too long (at most 9007199254740991 ms)',
      ],
    ])('answers 400 to %s naming the parameter', async (params, message) => {
      const answer = await get(`/api/v1/query?${params}`);
      expect(answer.status).toBe(400);
      expect(answer.json).toEqual({ error: { code: 'bad_request', message } });
    });

    it('tells a malformed Authorization header from none, quoting neither', async () => {
      const url = `${collector.url}/api/v1/hosts`;
      const extra = await call(url, { headers: { authorization: `Bearer ${collector.tokens.viewer} extra` } });
      expect(extra.status).toBe(401);
      expect(extra.json.error).toEqual({
        code: 'unauthorized',
        message:
          'the Authorization header is malformed: write Bearer, a space and one token ' +
          '(Authorization: Bearer <token>)',
      });
      expect(JSON.stringify(extra.json)).not.toContain(collector.tokens.viewer);
      const none = await call(url);
      expect(none.json.error.message).toBe('no token: send Authorization: Bearer <token>');
    });
  });
});

describe('silence bodies', () => {
  let url: string;
  let operator: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hostpulse-http-edges-'));
    const log = silentLogger();
    const storage = await openStorage({ dataDir: dir, poolMax: 4, log });
    await storage.migrate();
    operator = generateToken();
    await storage.createToken({ name: 'oscar', kind: 'api', role: 'operator', hash: hashToken(operator) });
    const alerting = createAlerting({ rules: [], notifiers: new Map(), store: createAlertStore(storage), log, tickMs: 0 });
    const file = join(dir, 'collector.yaml');
    writeFileSync(file, `listen: 127.0.0.1:0\ndata_dir: ${dir}\n`);
    const app = buildServer({ config: loadCollectorConfig(file, {}), storage, alerting, log });
    alerting.start();
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/api/v1/silences`;
    close = async () => {
      await app.close();
      await alerting.stop();
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    };
  });
  afterAll(() => close?.());

  function post(body: string, type = 'application/json') {
    return call(url, { method: 'POST', token: operator, headers: { 'content-type': type }, body: Buffer.from(body) });
  }

  it.each([
    ['hello', 'text/plain'],
    ['[]', 'application/json'],
    ['null', 'application/json'],
    ['"text"', 'application/json'],
  ])('refuses the body %s (%s): it must be a JSON object', async (body, type) => {
    const answer = await post(body, type);
    expect(answer.status).toBe(400);
    expect(answer.json.error).toEqual({
      code: 'bad_request',
      message: 'the body must be a JSON object (Content-Type: application/json)',
    });
  });

  it('refuses a NUL byte in a matcher or the comment, naming the field', async () => {
    const matcher = await post('{"matchers":{"rule":"x\\u0000"},"duration":"1h","comment":"c"}');
    expect(matcher.status).toBe(400);
    expect(matcher.json.error).toEqual({
      code: 'bad_request',
      message: 'body matchers.rule holds a NUL byte, which no stored text can hold',
    });
    const comment = await post('{"matchers":{"rule":"x"},"duration":"1h","comment":"a\\u0000b"}');
    expect(comment.json.error.message).toBe('body comment holds a NUL byte, which no stored text can hold');
  });

  it('takes a matcher as long as a stored label value', async () => {
    const value = 'v'.repeat(1024);
    const created = await post(JSON.stringify({ matchers: { lv: value }, duration: '1h', comment: 'c' }));
    expect(created.status).toBe(201);
    expect(created.json.silence.matchers).toEqual({ lv: value });
  });
});
