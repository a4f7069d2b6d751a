import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { HostpulseError, quote } from '@hostpulse/shared';
import { authorize } from '../auth.js';
import type { HostInventory, HostRecord, Labels } from '../storage/storage.js';
import { BATCH_LIMITS } from './batch-limits.js';
import type { RouteContext } from './context.js';

// GET /api/v1/hosts, GET /api/v1/hosts/:id/latest and GET /api/v1/hosts/:id/gaps (SPEC §5.4,
// §4 gap records), for viewers.

export type HostStatus = 'up' | 'down' | 'stopped';

export interface HostView {
  readonly id: string;
  readonly name: string;
  readonly labels: Labels;
  readonly lastSeenMs: number;
  readonly status: HostStatus;
  readonly agentVersion: string;
  readonly clockSkewMs: number;
  readonly intervalMs: number;
  readonly inventory: HostInventory | null;
}

// A host's id is at most BATCH_LIMITS.idChars and its name at most hostNameChars, the longer.
const hostParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: BATCH_LIMITS.hostNameChars }),
});

/** Stopped after a goodbye; down once silent longer than host_down_after; else up. */
export function hostStatus(host: HostRecord, nowMs: number, downAfterMs: number): HostStatus {
  if (host.state === 'stopped') return 'stopped';
  return nowMs - host.lastSeenMs > downAfterMs ? 'down' : 'up';
}

export function registerHostRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const viewer = authorize(ctx.storage, 'viewer');

  const summary = 'every host with its status and inventory';
  app.get('/api/v1/hosts', { preHandler: viewer, config: { summary } }, async () => {
    const now = ctx.now();
    const hosts = await ctx.storage.listHosts();
    return { hosts: hosts.map((host) => toView(host, now, ctx.config.hostDownAfterMs)) };
  });

  app.get<{ Params: Static<typeof hostParams> }>(
    '/api/v1/hosts/:id/latest',
    {
      preHandler: viewer,
      schema: { params: hostParams },
      config: { summary: 'the latest value of each series of a host (id or name)' },
    },
    async (request) => {
      const host = await findHostOr404(ctx, request.params.id);
      const latest = await ctx.storage.latest(host.id);
      return {
        host: { id: host.id, name: host.name },
        series: latest.map((item) => ({
          metric: item.metric,
          labels: item.labels,
          timeMs: item.timeMs,
          value: item.value,
        })),
      };
    },
  );

  // Batches the host's agent had to drop (buffer full or too old): "data lost on the host", as
  // opposed to a host that was silent. Kept apart from the host list, which would otherwise cost
  // one gap query per host.
  app.get<{ Params: Static<typeof hostParams> }>(
    '/api/v1/hosts/:id/gaps',
    { preHandler: viewer, schema: { params: hostParams } },
    async (request) => {
      const host = await findHostOr404(ctx, request.params.id);
      const gaps = await ctx.storage.gaps(host.id);
      return {
        host: { id: host.id, name: host.name },
        droppedBatches: gaps.reduce((sum, gap) => sum + gap.batches, 0),
        gaps: gaps.map((gap) => ({
          fromMs: gap.fromMs,
          toMs: gap.toMs,
          batches: gap.batches,
          reason: gap.reason,
        })),
      };
    },
  );
}

export async function findHostOr404(ctx: RouteContext, idOrName: string): Promise<HostRecord> {
  const host = await ctx.storage.findHost(idOrName);
  if (!host) {
    const message = `host ${quote(idOrName)} is not known (GET /api/v1/hosts lists them)`;
    throw new HostpulseError('not_found', message);
  }
  return host;
}

function toView(host: HostRecord, nowMs: number, downAfterMs: number): HostView {
  return {
    id: host.id,
    name: host.name,
    labels: host.labels,
    lastSeenMs: host.lastSeenMs,
    status: hostStatus(host, nowMs, downAfterMs),
    agentVersion: host.agentVersion,
    clockSkewMs: host.clockSkewMs,
    intervalMs: host.intervalMs,
    inventory: host.inventory,
  };
}
