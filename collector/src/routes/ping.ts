import type { FastifyInstance } from 'fastify';
import { authorize } from '../auth.js';
import type { RouteContext } from './context.js';

// GET /api/v1/ping: lets an agent (`--once`) or a script check its token and the clock skew.

export function registerPingRoute(app: FastifyInstance, ctx: RouteContext): void {
  const options = {
    preHandler: authorize(ctx.storage, 'any'),
    config: { summary: 'check a token and the clock' },
  };
  app.get('/api/v1/ping', options, async (request) => ({
    serverTimeMs: ctx.now(),
    tokenKind: request.token?.kind ?? null,
    role: request.token?.role ?? null,
  }));
}
