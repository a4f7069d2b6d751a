import type { FastifyInstance } from 'fastify';
import { authorize } from '../auth.js';
import { CONTENT_TYPE } from '../self-metrics/exposition.js';
import type { RouteContext } from './context.js';

// GET /metrics (SPEC §5.4): the collector's own metrics in the Prometheus text format. Open by
// default, like most exporters (it holds counts, no names of hosts or tokens); with
// `metrics.require_token: true` it needs a viewer token, which Prometheus sends as
// `authorization: { credentials_file: ... }` in its scrape config.

export function registerMetricsRoute(app: FastifyInstance, ctx: RouteContext): void {
  const viewer = { onRequest: authorize(ctx.storage, 'viewer') };
  const guard = ctx.config.metrics.requireToken ? viewer : {};
  const summary = "the collector's own metrics, Prometheus text format";
  app.get('/metrics', { ...guard, config: { summary } }, async (request, reply) => {
    const text = await ctx.metrics.registry.render(request.log);
    return reply.type(CONTENT_TYPE).send(text);
  });
}
