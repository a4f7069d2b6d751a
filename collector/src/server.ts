import Fastify, { type FastifyInstance } from 'fastify';
import { HostpulseError, type Logger } from '@hostpulse/shared';
import type { Alerting } from './alerting/alerting.js';
import type { CollectorConfig } from './config.js';
import { createErrorHandler, handleNotFound } from './http-errors.js';
import type { ReadinessCheck } from './readiness.js';
import { RequestLogController } from './request-log.js';
import type { Storage } from './storage/storage.js';
import type { RouteContext } from './routes/context.js';
import { registerAlertRoutes } from './routes/alerts.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerHostRoutes } from './routes/hosts.js';
import { PROTOBUF, registerIngestRoute } from './routes/ingest.js';
import { registerPingRoute } from './routes/ping.js';
import { registerQueryRoute } from './routes/query.js';
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
}

/** The collector's HTTP server with every route, not yet listening. */
export function buildServer(options: ServerOptions): FastifyInstance {
  const { config } = options;
  const app = Fastify({
    loggerInstance: options.log.child({ component: 'http' }),
    logController: new RequestLogController(),
    // Fastify's own 503 while closing has another JSON shape; refuseWhileStopping answers ours.
    return503OnClosing: false,
    bodyLimit: config.limits.maxBodyBytes,
    ajv: { customOptions: { removeAdditional: false, verbose: true } },
    ...(options.https ? { https: options.https } : {}),
  }) as unknown as FastifyInstance;

  app.decorateRequest('token', null);
  refuseWhileStopping(app);
  const rawBody = { parseAs: 'buffer', bodyLimit: config.limits.maxBodyBytes } as const;
  app.addContentTypeParser(PROTOBUF, rawBody, (_request, body, done) => done(null, body));
  app.setErrorHandler(createErrorHandler());
  app.setNotFoundHandler(handleNotFound);

  const ctx: RouteContext = {
    config,
    storage: options.storage,
    alerting: options.alerting,
    readiness: options.readiness ?? [],
    now: options.now ?? Date.now,
  };
  registerHealthRoutes(app, ctx);
  registerPingRoute(app, ctx);
  registerIngestRoute(app, ctx);
  registerHostRoutes(app, ctx);
  registerQueryRoute(app, ctx);
  const operator = options.alerting.operator;
  if (operator) {
    registerAlertRoutes(app, ctx, operator);
    registerSilenceRoutes(app, ctx, operator);
    registerRuleRoutes(app, ctx, operator);
  }
  return app;
}

/**
 * Requests that arrive on a kept-alive connection while close() drains the ones in flight get
 * 429 overloaded with Retry-After: the agent keeps its batch and comes back (maybe to another
 * replica), and the answer has the same shape as every other error.
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
}
