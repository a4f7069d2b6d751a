import type { FastifyInstance, FastifySchema, RouteOptions } from 'fastify';
import { accessOf, type Access } from './auth.js';

// Every route the server registers, with the access it demands. Kept by an onRoute hook, so a
// route added anywhere is seen: the OpenAPI document and the role tests are built from it.
// Invariants:
// - A route under /api/ without an authorize() hook stops the server from being built: no
//   API route is open by mistake.
// - The authorize() hook runs first in onRequest, before body parsing and schema validation,
//   so a request without a valid token gets 401/403 and never a 400 that reveals the schema.

export interface RouteEntry {
  readonly method: string;
  readonly url: string;
  /** `none` for the public probes and, unless configured otherwise, /metrics. */
  readonly access: Access | 'none';
  readonly schema: FastifySchema | undefined;
  /** Free text for the API description (route `config.summary`). */
  readonly summary: string | undefined;
  readonly bodyMediaType: string | undefined;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** One line describing the route, for /api/v1/openapi.json. */
    summary?: string;
    /** The body's media type when it is not JSON described by schema.body (ingest). */
    bodyMediaType?: string;
  }
}

const PROTECTED_PREFIX = '/api/';

export function trackRoutes(app: FastifyInstance): RouteEntry[] {
  const routes: RouteEntry[] = [];
  app.addHook('onRoute', (options) => {
    const access = moveAuthorizeFirst(options);
    if (access === undefined && options.url.startsWith(PROTECTED_PREFIX)) {
      throw new Error(`route ${String(options.method)} ${options.url} has no authorize() hook`);
    }
    // Fastify adds a HEAD route for every GET; it answers like the GET, so one entry is enough.
    for (const method of [options.method].flat()) {
      if (method === 'HEAD') continue;
      routes.push({
        method,
        url: options.url,
        access: access ?? 'none',
        schema: options.schema,
        summary: options.config?.summary,
        bodyMediaType: options.config?.bodyMediaType,
      });
    }
  });
  return routes;
}

function moveAuthorizeFirst(options: RouteOptions): Access | undefined {
  const preHandler = [options.preHandler ?? []].flat();
  const preValidation = [options.preValidation ?? []].flat();
  const onRequest = [options.onRequest ?? []].flat();
  const all = [...onRequest, ...preValidation, ...preHandler];
  const hooks = all.filter((hook) => accessOf(hook) !== undefined);
  if (hooks.length > 1) throw new Error(`route ${options.url} has more than one authorize() hook`);
  const [auth] = hooks;
  if (auth === undefined) return undefined;
  options.preHandler = preHandler.filter((hook) => hook !== auth);
  options.preValidation = preValidation.filter((hook) => hook !== auth);
  const rest = onRequest.filter((hook) => hook !== auth);
  options.onRequest = [auth, ...rest] as typeof options.onRequest;
  return accessOf(auth);
}
