import type { FastifyInstance } from 'fastify';
import { HostpulseError, isHostpulseError } from '@hostpulse/shared';
import type { RouteContext } from './context.js';

// Probes for load balancers and systemd, without a token. /healthz says the process answers;
// /readyz says it can do its work, so a balancer stops sending batches while the database (or
// the Redis of collector.yaml) is away: 503 with Retry-After, from the error table.

export function registerHealthRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async () => {
    try {
      await ctx.storage.ping();
    } catch (err) {
      if (isHostpulseError(err, 'storage_unavailable')) throw err;
      const message = 'the database does not answer';
      throw new HostpulseError('storage_unavailable', message, {}, { cause: err });
    }
    for (const dependency of ctx.readiness) await dependency.check();
    return { status: 'ready' };
  });
}
