import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { AuditAction } from '../audit.js';
import { authorize } from '../auth.js';
import type { RouteContext } from './context.js';
import { parseTime } from './query-params.js';

// GET /api/v1/audit: the audit log (audit.ts), newest first, for admins only: it names every
// token and the addresses operators work from.

const DEFAULT_LIMIT = 100;

// A Record so that the build fails when audit.ts gains an action this list lacks: an unknown
// action is refused (400 naming the known ones) rather than answered with an empty list.
const KNOWN_ACTIONS: Record<AuditAction, true> = {
  'token.create': true,
  'token.revoke': true,
  'alert.ack': true,
  'silence.create': true,
  'silence.delete': true,
};
export const AUDIT_ACTIONS = Object.keys(KNOWN_ACTIONS) as AuditAction[];

export const auditQuerySchema = Type.Object(
  {
    since: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
    action: Type.Optional(Type.Unsafe<AuditAction>({ type: 'string', enum: AUDIT_ACTIONS })),
    actor: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: DEFAULT_LIMIT }),
  },
  { additionalProperties: false },
);

export function registerAuditRoute(app: FastifyInstance, ctx: RouteContext): void {
  app.get<{ Querystring: Static<typeof auditQuerySchema> }>(
    '/api/v1/audit',
    {
      onRequest: authorize(ctx.storage, 'admin'),
      schema: { querystring: auditQuerySchema },
      config: { summary: 'who changed what, when and from where (newest first)' },
    },
    async (request) => {
      const { since, action, actor, limit } = request.query;
      const sinceMs = since === undefined ? undefined : parseTime('since', since);
      const entries = await ctx.storage.listAudit({ sinceMs, action, actor, limit });
      return { entries };
    },
  );
}
