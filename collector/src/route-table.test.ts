import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { authorize } from './auth.js';
import { createErrorHandler } from './http-errors.js';
import { trackRoutes } from './route-table.js';
import type { Storage } from './storage/storage.js';

const storage = { findToken: async () => undefined } as unknown as Storage;

describe('trackRoutes', () => {
  it('refuses to build a server with an /api/ route that has no authorize() hook', async () => {
    const app = Fastify();
    trackRoutes(app);
    expect(() => app.get('/api/v1/open', async () => ({}))).toThrow(
      'route GET /api/v1/open has no authorize() hook',
    );
    await app.close();
  });

  it('moves authorize() from preHandler to the front of onRequest and records the access', async () => {
    const app = Fastify();
    app.setErrorHandler(createErrorHandler());
    const routes = trackRoutes(app);
    const other = async () => undefined;
    const options = { preHandler: authorize(storage, 'operator'), onRequest: other };
    app.get('/api/v1/x', options, async () => ({}));
    app.get('/healthz', async () => ({}));
    await app.ready();
    expect(routes.map((r) => [r.method, r.url, r.access])).toEqual([
      ['GET', '/api/v1/x', 'operator'],
      ['GET', '/healthz', 'none'],
    ]);
    const answer = await app.inject({ method: 'GET', url: '/api/v1/x' });
    expect(answer.statusCode).toBe(401);
    await app.close();
  });
});
