import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { authorize } from '../auth.js';
import type { AlertOperator } from '../alerting/operator.js';
import { auditActor, recordAudit } from '../audit.js';
import { alertDetailSchema, alertSchema } from './alert-schemas.js';
import type { RouteContext } from './context.js';

// GET /api/v1/alerts, GET /api/v1/alerts/:id and POST /api/v1/alerts/:id/ack (SPEC §5.4).
// Reading is for viewers; acknowledging is an operator's act, recorded under the token's name.

const DISPLAY_STATES = [
  'pending',
  'firing',
  'acknowledged',
  'suppressed',
  'resolved',
  'inactive',
] as const;

export const alertListQuery = Type.Object(
  {
    state: Type.Optional(
      Type.Unsafe<(typeof DISPLAY_STATES)[number]>({ type: 'string', enum: [...DISPLAY_STATES] }),
    ),
  },
  { additionalProperties: false },
);

export const alertParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

/** The body may be left out (null): an acknowledgement without a comment. */
export const ackBody = Type.Union([
  Type.Object(
    { comment: Type.Optional(Type.String({ maxLength: 2000 })) },
    { additionalProperties: false },
  ),
  Type.Null(),
]);

export function registerAlertRoutes(
  app: FastifyInstance,
  ctx: RouteContext,
  operator: AlertOperator,
): void {
  const viewer = authorize(ctx.storage, 'viewer');

  app.get<{ Querystring: Static<typeof alertListQuery> }>(
    '/api/v1/alerts',
    {
      preValidation: viewer,
      schema: {
        querystring: alertListQuery,
        response: { 200: Type.Object({ alerts: Type.Array(alertSchema) }) },
      },
    },
    async (request) => ({ alerts: await operator.listAlerts(request.query.state) }),
  );

  app.get<{ Params: Static<typeof alertParams> }>(
    '/api/v1/alerts/:id',
    {
      preValidation: viewer,
      schema: { params: alertParams, response: { 200: Type.Object({ alert: alertDetailSchema }) } },
    },
    async (request) => ({ alert: await operator.getAlert(request.params.id) }),
  );

  app.post<{ Params: Static<typeof alertParams>; Body: Static<typeof ackBody> | undefined }>(
    '/api/v1/alerts/:id/ack',
    {
      preValidation: authorize(ctx.storage, 'operator'),
      schema: {
        params: alertParams,
        body: ackBody,
        response: { 200: Type.Object({ alert: alertSchema }) },
      },
    },
    async (request) => {
      const author = request.token?.name ?? 'unknown';
      const comment = request.body?.comment ?? '';
      const alert = await operator.acknowledge(request.params.id, author, comment);
      request.log.info({ alertId: alert.id, author }, 'alert acknowledged');
      const audit = { action: 'alert.ack' as const, target: alert.id, detail: { comment } };
      await recordAudit(ctx.storage, { ...auditActor(request), ...audit });
      return { alert };
    },
  );
}
