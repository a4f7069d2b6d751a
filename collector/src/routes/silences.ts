import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { HostpulseError, parseDuration, quote } from '@hostpulse/shared';
import { authorize } from '../auth.js';
import type { AlertOperator } from '../alerting/operator.js';
import { auditActor, recordAudit } from '../audit.js';
import { silenceSchema } from './alert-schemas.js';
import { BATCH_LIMITS } from './batch-limits.js';
import type { RouteContext } from './context.js';
import { parseTime } from './query-params.js';

// GET, POST /api/v1/silences and DELETE /api/v1/silences/:id (SPEC §5.4), for operators. A
// silence is never deleted, only expired: it stays in the list as the record of who silenced
// what, when and why.

const MATCHER_KEY = '^[A-Za-z_][A-Za-z0-9_.-]*$';
const time = Type.Union([
  Type.String({ minLength: 1, maxLength: 40 }),
  Type.Integer({ minimum: 0 }),
]);

export const silenceBody = Type.Object(
  {
    matchers: Type.Record(
      Type.String({ pattern: MATCHER_KEY }),
      // As long as a label value ingest stores, so a silence can name one exactly.
      Type.String({ minLength: 1, maxLength: BATCH_LIMITS.labelValueChars }),
      {
        minProperties: 1,
        maxProperties: 20,
        description: 'rule, host or a label name, each to a glob; all must match',
      },
    ),
    starts_at: Type.Optional(time),
    ends_at: Type.Optional(time),
    duration: Type.Optional(Type.String({ minLength: 1, maxLength: 20 })),
    comment: Type.String({ minLength: 1, maxLength: 2000 }),
  },
  { additionalProperties: false },
);

export const silenceListQuery = Type.Object(
  { all: Type.Optional(Type.Boolean({ description: 'include ended and expired silences' })) },
  { additionalProperties: false },
);

export const silenceParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

type SilenceBody = Static<typeof silenceBody>;

const oneSilence = Type.Object({ silence: silenceSchema });
const silenceList = Type.Object({ silences: Type.Array(silenceSchema) });

export function registerSilenceRoutes(
  app: FastifyInstance,
  ctx: RouteContext,
  operator: AlertOperator,
): void {
  const operatorOnly = authorize(ctx.storage, 'operator');

  app.get<{ Querystring: Static<typeof silenceListQuery> }>(
    '/api/v1/silences',
    {
      preValidation: operatorOnly,
      schema: { querystring: silenceListQuery, response: { 200: silenceList } },
    },
    async (request) => ({
      silences: await operator.listSilences({ includeEnded: request.query.all === true }),
    }),
  );

  app.post<{ Body: SilenceBody }>(
    '/api/v1/silences',
    {
      preValidation: [operatorOnly, stringMatchers],
      schema: { body: silenceBody, response: { 201: oneSilence } },
    },
    async (request, reply) => {
      const { startsMs, endsMs } = silenceTimes(request.body, ctx.now());
      const author = request.token?.name ?? 'unknown';
      const { matchers, comment } = request.body;
      const silence = await operator.createSilence({ matchers, startsMs, endsMs, comment }, author);
      request.log.info({ silenceId: silence.id, author, matchers }, 'silence created');
      // A separate write after the silence's own: an audit row can lag, never invent an act.
      const detail = { matchers, startsMs, endsMs, comment };
      await recordAudit(ctx.storage, {
        ...auditActor(request),
        action: 'silence.create',
        target: silence.id,
        detail,
      });
      return reply.code(201).send({ silence });
    },
  );

  app.delete<{ Params: Static<typeof silenceParams> }>(
    '/api/v1/silences/:id',
    {
      preValidation: operatorOnly,
      schema: { params: silenceParams, response: { 200: oneSilence } },
    },
    async (request) => {
      const author = request.token?.name ?? 'unknown';
      const silence = await operator.expireSilence(request.params.id, author);
      request.log.info({ silenceId: silence.id, author }, 'silence expired');
      const target = silence.id;
      await recordAudit(ctx.storage, { ...auditActor(request), action: 'silence.delete', target });
      return { silence };
    },
  );
}

/**
 * Runs before the schema: Ajv coerces types, so `{"rule": 5}` would become the glob "5" and
 * a mistaken body would silence something nobody named.
 */
async function stringMatchers(request: FastifyRequest): Promise<void> {
  const matchers = (request.body as { matchers?: unknown } | null | undefined)?.matchers;
  if (matchers === null || typeof matchers !== 'object' || Array.isArray(matchers)) return;
  for (const [key, value] of Object.entries(matchers)) {
    if (typeof value !== 'string') {
      const given = JSON.stringify(value) ?? String(value);
      const message = `body matchers.${key}: ${given} is not a string (write a glob in quotes)`;
      throw new HostpulseError('bad_request', message);
    }
  }
}

/** starts_at defaults to now; exactly one of ends_at and duration says when it ends. */
function silenceTimes(body: SilenceBody, nowMs: number): { startsMs: number; endsMs: number } {
  const startsMs = body.starts_at === undefined ? nowMs : timeOf('starts_at', body.starts_at);
  if ((body.ends_at === undefined) === (body.duration === undefined)) {
    throw new HostpulseError('bad_request', 'body: give exactly one of ends_at and duration');
  }
  let endsMs: number;
  if (body.duration !== undefined) {
    const ms = parseDuration(body.duration);
    if (ms === undefined || !(ms > 0)) {
      const message = `body duration: ${quote(body.duration)} is not a duration (write 2h or 30m)`;
      throw new HostpulseError('bad_request', message);
    }
    endsMs = startsMs + ms;
  } else {
    endsMs = timeOf('ends_at', body.ends_at as string | number);
  }
  // The past first: with starts_at left out (now), "must be after starts_at" would puzzle.
  if (endsMs <= nowMs) throw new HostpulseError('bad_request', 'body ends_at: is in the past');
  if (endsMs <= startsMs) {
    throw new HostpulseError('bad_request', 'body ends_at: must be after starts_at');
  }
  return { startsMs, endsMs };
}

function timeOf(name: string, value: string | number): number {
  return typeof value === 'number' ? value : parseTime(name, value, 'body');
}
