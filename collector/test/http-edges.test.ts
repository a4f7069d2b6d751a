import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encoded, wireBatch } from './helpers/batches.js';
import { call, startTestCollector, type TestCollector } from './helpers/collector-server.js';

// The edges of the HTTP contract over real HTTP (docs/api.md, "Errors"): the longest ids and
// names ingest stores can be read back, and what Fastify's router refuses still answers
// {"error":{"code","message"}}. The storage backend plays no part here, so SQLite only.

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
});
