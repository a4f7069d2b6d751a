import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { authorize } from '../auth.js';
import type { AlertOperator } from '../alerting/operator.js';
import { ruleSchema } from './alert-schemas.js';
import type { RouteContext } from './context.js';

// GET /api/v1/rules (SPEC §5.4): the rules alerting runs with now (after the last SIGHUP),
// the built-in host-down included, each with its open alerts counted by state.

const rulesAnswer = Type.Object({ rules: Type.Array(ruleSchema) });

export function registerRuleRoutes(
  app: FastifyInstance,
  ctx: RouteContext,
  operator: AlertOperator,
): void {
  const viewer = authorize(ctx.storage, 'viewer');
  const schema = { response: { 200: rulesAnswer } };
  app.get('/api/v1/rules', { preValidation: viewer, schema }, async () => ({
    rules: operator.rules(),
  }));
}
