import type { FastifyInstance } from 'fastify';
import { authorize } from '../auth.js';
import { buildOpenApi } from '../openapi.js';
import { collectorVersion } from '../version.js';
import type { RouteContext } from './context.js';

// GET /api/v1/openapi.json: the API description (openapi.ts), for viewers like the rest of
// the read API. Built on the first request, once every route is registered.

export function registerOpenApiRoute(app: FastifyInstance, ctx: RouteContext): void {
  let document: unknown;
  app.get(
    '/api/v1/openapi.json',
    {
      onRequest: authorize(ctx.storage, 'viewer'),
      config: { summary: 'this API described in OpenAPI 3.1' },
    },
    async () => {
      document ??= buildOpenApi(app.hostpulseRoutes, collectorVersion);
      return document;
    },
  );
}
