import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { HostpulseError } from '@hostpulse/shared';
import { authorize } from '../auth.js';
import type { Aggregation } from '../storage/storage.js';
import { BATCH_LIMITS } from './batch-limits.js';
import type { RouteContext } from './context.js';
import { findHostOr404 } from './hosts.js';
import {
  checkStepCount,
  checkStepWithinRange,
  labelMatchers,
  parseRange,
  parseStep,
} from './query-params.js';

// GET /api/v1/query (SPEC §5.4): raw samples without `step`, one aggregated point per step with
// it. The schema checks shapes and refuses unknown parameters (a typo like `metirc` would
// otherwise widen the query silently); query-params.ts parses times and steps.

// An enum rather than a union of literals: Ajv then reports the allowed values in one error.
// No schema default: the handler must tell an `agg` the caller wrote from none (it needs step).
const aggregation = Type.Unsafe<Aggregation>({
  type: 'string',
  enum: ['avg', 'min', 'max', 'last'],
  description: 'with step; avg when left out',
});
const DEFAULT_AGG: Aggregation = 'avg';

export const querySchema = Type.Object(
  {
    metric: Type.String({ pattern: '^[a-zA-Z_:][a-zA-Z0-9_:]*$', maxLength: 200 }),
    host: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    from: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
    to: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
    step: Type.Optional(Type.String({ minLength: 1, maxLength: 20 })),
    agg: Type.Optional(aggregation),
  },
  {
    additionalProperties: false,
    // Any label value ingest stores can be asked for (docs/api.md: nothing is stored that no
    // query can read back).
    patternProperties: {
      '^label\\.[A-Za-z_][A-Za-z0-9_]*$': Type.String({ maxLength: BATCH_LIMITS.labelValueChars }),
    },
  },
);

type QueryString = Static<typeof querySchema> & Record<string, unknown>;

export function registerQueryRoute(app: FastifyInstance, ctx: RouteContext): void {
  app.get<{ Querystring: QueryString }>(
    '/api/v1/query',
    {
      preHandler: authorize(ctx.storage, 'viewer'),
      schema: { querystring: querySchema },
      config: { summary: 'time series of one metric, raw or one point per step' },
    },
    async (request) => {
      const query = request.query;
      const range = parseRange(query.from, query.to, ctx.now());
      const { fromMs, toMs } = range;
      const maxPoints = ctx.config.limits.maxQueryPoints;
      const stepMs = query.step === undefined ? undefined : parseStep(query.step);
      if (stepMs === undefined && query.agg !== undefined) {
        const message = 'query parameter agg: needs step (without step the raw samples are returned)';
        throw new HostpulseError('bad_request', message);
      }
      if (stepMs !== undefined) {
        checkStepWithinRange(query.step as string, stepMs, range);
        checkStepCount(query.step as string, toMs - fromMs, stepMs, maxPoints);
      }
      const host = query.host === undefined ? undefined : await findHostOr404(ctx, query.host);

      const series = await ctx.storage.query({
        metric: query.metric,
        hostIds: host ? [host.id] : undefined,
        labels: labelMatchers(query),
        fromMs,
        toMs,
        stepMs,
        agg: query.agg ?? DEFAULT_AGG,
        maxPoints,
      });
      return {
        series: series.map((item) => ({
          metric: item.metric,
          host: item.hostName,
          hostId: item.hostId,
          labels: item.labels,
          points: item.points,
        })),
      };
    },
  );
}
