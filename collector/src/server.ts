import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { HostpulseError, type Logger } from '@hostpulse/shared';
import type { Alerting } from './alerting/alerting.js';
import type { CollectorConfig } from './config.js';
import { loadDashboardAssets, type Asset, type AssetName } from './dashboard-assets.js';
import {
  createClientErrorHandler,
  createErrorHandler,
  createFrameworkErrorHandler,
  handleNotFound,
  MAX_PARAM_CHARS,
} from './http-errors.js';
import { TokenBuckets } from './rate-limit.js';
import type { ReadinessCheck } from './readiness.js';
import { refuseNulBytes } from './refuse-nul.js';
import { RequestLogController } from './request-log.js';
import { trackRoutes, type RouteEntry } from './route-table.js';
import { addSecurityHeaders } from './security-headers.js';
import { createCollectorMetrics, type CollectorMetrics } from './self-metrics/collector-metrics.js';
import type { Storage } from './storage/storage.js';
import type { RouteContext } from './routes/context.js';
import { registerAuditRoute } from './routes/audit.js';
import { registerAlertRoutes } from './routes/alerts.js';
import { registerDashboardRoutes } from './routes/dashboard.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerHostRoutes } from './routes/hosts.js';
import { INGEST_PATH, PROTOBUF, registerIngestRoute } from './routes/ingest.js';
import { registerMetricsRoute } from './routes/metrics.js';
import { registerOpenApiRoute } from './routes/openapi.js';
import { registerPingRoute } from './routes/ping.js';
import { registerQueryRoute } from './routes/query.js';
import { collectorVersion } from './version.js';
import { registerRuleRoutes } from './routes/rules.js';
import { registerSilenceRoutes } from './routes/silences.js';

export interface ServerOptions {
  readonly config: CollectorConfig;
  readonly storage: Storage;
  readonly alerting: Alerting;
  readonly log: Logger;
  /** What /readyz checks besides storage, e.g. redisReadiness() when redis.url is set. */
  readonly readiness?: readonly ReadinessCheck[];
  /** The clock in epoch ms; tests pass their own. */
  readonly now?: () => number;
  /** TLS key and certificate, already read from config.tls (see readTls in main). */
  readonly https?: { readonly key: Buffer; readonly cert: Buffer };
  /** The collector's own metrics; a fresh set when absent. */
  readonly metrics?: CollectorMetrics;
  /** The dashboard's files; read from collector/dashboard/ when absent. */
  readonly dashboardAssets?: ReadonlyMap<AssetName, Asset>;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route with the access it needs, as registered (route-table.ts). */
    hostpulseRoutes: readonly RouteEntry[];
  }
}

/** The collector's HTTP server with every route, not yet listening. */
export function buildServer(options: ServerOptions): FastifyInstance {
  const { config } = options;
  const metrics = options.metrics ?? createCollectorMetrics(collectorVersion);
  const handleError = createErrorHandler(Date.now, countIngestRejections(metrics));
  const log = options.log.child({ component: 'http' });
  const app = Fastify({
    loggerInstance: log,
    logController: new RequestLogController(),
    // Fastify's own 503 while closing has another JSON shape; refuseWhileStopping answers ours.
    return503OnClosing: false,
    bodyLimit: config.limits.maxBodyBytes,
    ajv: { customOptions: { removeAdditional: false, verbose: true } },
    routerOptions: { maxParamLength: MAX_PARAM_CHARS },
    frameworkErrors: createFrameworkErrorHandler(handleError),
    clientErrorHandler: createClientErrorHandler(log),
    ...(options.https ? { https: options.https } : {}),
  }) as unknown as FastifyInstance;

  const ctx: RouteContext = {
    config,
    storage: options.storage,
    alerting: options.alerting,
    readiness: options.readiness ?? [],
    metrics,
    now: options.now ?? Date.now,
  };
  app.decorateRequest('token', null);
  app.decorate('hostpulseRoutes', trackRoutes(app));
  refuseWhileStopping(app);
  refuseNulBytes(app);
  addSecurityHeaders(app);
  const rawBody = { parseAs: 'buffer', bodyLimit: config.limits.maxBodyBytes } as const;
  app.addContentTypeParser(PROTOBUF, rawBody, (_request, body, done) => done(null, body));
  app.setErrorHandler(handleError);
  app.setNotFoundHandler(handleNotFound);

  const buckets = new TokenBuckets(config.limits.ingestPerToken, ctx.now);
  registerHealthRoutes(app, ctx);
  registerMetricsRoute(app, ctx);
  registerPingRoute(app, ctx);
  registerIngestRoute(app, ctx, buckets);
  registerHostRoutes(app, ctx);
  registerQueryRoute(app, ctx);
  registerAuditRoute(app, ctx);
  registerOpenApiRoute(app, ctx);
  registerDashboardRoutes(app, ctx, options.dashboardAssets ?? loadDashboardAssets());
  const operator = options.alerting.operator;
  if (operator) {
    registerAlertRoutes(app, ctx, operator);
    registerSilenceRoutes(app, ctx, operator);
    registerRuleRoutes(app, ctx, operator);
  }
  return app;
}

function countIngestRejections(metrics: CollectorMetrics) {
  return (request: FastifyRequest, reason: string) => {
    if (request.routeOptions.url !== INGEST_PATH) return;
    metrics.ingestRejections.inc({ reason });
  };
}

/**
 * Requests that arrive on a kept-alive connection while close() drains the ones in flight get
 * 429 overloaded with Retry-After: the agent keeps its batch and comes back (maybe to another
 * replica), and the answer has the same shape as every other error. Every answer sent while
 * stopping closes its connection.
 */
function refuseWhileStopping(app: FastifyInstance): void {
  let stopping = false;
  app.addHook('preClose', async () => {
    stopping = true;
  });
  app.addHook('onRequest', async () => {
    if (!stopping) return;
    throw new HostpulseError('overloaded', 'the collector is stopping; retry in a few seconds');
  });
  // close() ends the connections idle when it starts; one busy then would stay open after its
  // answer until the client's keep-alive ran out (undici keeps it up to the 72 s Fastify
  // announces), holding the stop past its deadline. Closing it with the answer ends the wait.
  app.addHook('onSend', async (_request, reply) => {
    if (stopping) reply.header('connection', 'close');
  });
}
