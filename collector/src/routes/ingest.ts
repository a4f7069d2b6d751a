import type { FastifyInstance, FastifyRequest } from 'fastify';
import { decodeBatch, HostpulseError, quote } from '@hostpulse/shared';
import { authorize } from '../auth.js';
import { limitIngest, type TokenBuckets } from '../rate-limit.js';
import type { IngestBatch, IngestResult, SeriesRef } from '../storage/storage.js';
import { checkBatchLimits } from './batch-limits.js';
import type { RouteContext } from './context.js';
import { toIngestBatch } from './ingest-batch.js';
import { LabelMemory } from './label-memory.js';

// POST /api/v1/ingest (SPEC §4): a protobuf Batch, maybe gzipped, from an agent token.
// The answer tells the agent what to do with the batch: 200 delete it, 400 dead-letter it,
// 413 split it, 503 keep it and retry; so every failure must carry the right status.

export const PROTOBUF = 'application/x-protobuf';
export const INGEST_PATH = '/api/v1/ingest';

export interface IngestAck {
  readonly seq: number;
  readonly acceptedSamples: number;
  /** NaN and infinite values the storage refused; the rest of the batch is stored. */
  readonly rejectedSamples: number;
  readonly duplicate: boolean;
  readonly serverTimeMs: number;
  /** New series refused by limits.series_per_host (at most 50 listed); only when some were. */
  readonly refusedSeries?: readonly SeriesRef[];
  /** Samples of those series, not stored; with refusedSeries. */
  readonly refusedSamples?: number;
}

export function registerIngestRoute(
  app: FastifyInstance,
  ctx: RouteContext,
  buckets: TokenBuckets,
): void {
  const { metrics } = ctx;
  const labels = new LabelMemory();
  app.post(
    INGEST_PATH,
    {
      // authorize() runs first (route-table.ts), so the limiter knows the token.
      onRequest: [authorize(ctx.storage, 'agent'), limitIngest(buckets)],
      onResponse: async (_request, reply) => {
        metrics.ingestDuration.observe({}, reply.elapsedTime / 1000);
      },
      config: { summary: 'store a protobuf batch from an agent', bodyMediaType: PROTOBUF },
    },
    async (request): Promise<IngestAck> => {
      const wire = decodeBatch(bodyOf(request), isGzipped(request), {
        maxInflatedBytes: ctx.config.limits.maxInflatedBytes,
      });
      const batch = toIngestBatch(wire, ctx.now(), labels);
      checkBatchLimits(batch, labels);
      const result = await ctx.storage.ingest(batch);

      countIngested(ctx, result);
      if (!result.duplicate) observe(ctx, request, batch);
      const { agentId, seq } = batch;
      const fields = { agentId, seq, samples: result.acceptedSamples, duplicate: result.duplicate };
      request.log.debug(fields, 'batch ingested');
      return {
        seq: batch.seq,
        acceptedSamples: result.acceptedSamples,
        rejectedSamples: result.rejectedSamples,
        duplicate: result.duplicate,
        serverTimeMs: ctx.now(),
        ...(result.refusedSeries ? { refusedSeries: result.refusedSeries } : {}),
        ...(result.refusedSamples !== undefined ? { refusedSamples: result.refusedSamples } : {}),
      };
    },
  );
}

function countIngested(ctx: RouteContext, result: IngestResult): void {
  const { metrics } = ctx;
  if (result.duplicate) {
    metrics.ingestDuplicates.inc();
    return;
  }
  metrics.ingestBatches.inc();
  metrics.ingestSamples.inc({}, result.acceptedSamples);
  metrics.ingestRejectedSamples.inc({}, result.rejectedSamples);
}

function bodyOf(request: FastifyRequest): Buffer {
  // Without a Content-Type and body Fastify runs no parser and leaves the body undefined.
  if (request.body === undefined || request.body === null) return Buffer.alloc(0);
  if (!Buffer.isBuffer(request.body)) {
    throw new HostpulseError('batch_invalid', `the body must be ${PROTOBUF}`);
  }
  return request.body;
}

function isGzipped(request: FastifyRequest): boolean {
  const encoding = (request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding === 'gzip') return true;
  if (encoding === 'identity' || encoding === '') return false;
  const message = `Content-Encoding ${quote(encoding)} is not supported (send gzip or none)`;
  throw new HostpulseError('batch_invalid', message);
}

function observe(ctx: RouteContext, request: FastifyRequest, batch: IngestBatch): void {
  try {
    ctx.alerting.observe(batch);
  } catch (err) {
    // The batch is stored, so the agent must get its 200 or it would resend forever; alerting
    // catches up on the next batch of this host, and the error is logged for the operator.
    const fields = { err, agentId: batch.agentId, seq: batch.seq };
    request.log.error(fields, 'alerting could not observe a batch');
  }
}
