import type { FastifyInstance } from 'fastify';
import { authorize } from '../auth.js';
import type { AlertOperator } from '../alerting/operator.js';
import type { RouteContext } from './context.js';

// GET /api/v1/rules (SPEC §5.4): the rules alerting runs with now (after the last SIGHUP),
// the built-in host-down included, each with its open alerts counted by state.

export function registerRuleRoutes(
  app: FastifyInstance,
  ctx: RouteContext,
  operator: AlertOperator,
): void {
  const viewer = authorize(ctx.storage, 'viewer');
  app.get('/api/v1/rules', { preValidation: viewer, schema: {} }, async () => ({
    rules: operator.rules(),
  }));
}
