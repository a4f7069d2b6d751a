import type { RouteEntry } from './route-table.js';

// The OpenAPI 3.1 description of /api/v1, built from the route table: the same TypeBox
// schemas Fastify validates requests with, so the document cannot drift from the code.
// TypeBox schemas are JSON Schema 2020-12, which OpenAPI 3.1 takes as they are.

type Json = Record<string, unknown>;

const ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
  },
};

export function buildOpenApi(routes: readonly RouteEntry[], version: string): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of routes) {
    if (!route.url.startsWith('/api/')) continue;
    const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation(route) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'hostpulse collector API',
      version,
      description: 'Every route needs Authorization: Bearer <token>; x-hostpulse-access names ' +
        'the token kind or the least role it needs (viewer < operator < admin).',
    },
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { Error: ERROR_SCHEMA },
    },
  };
}

function operation(route: RouteEntry): Json {
  const schema = (route.schema ?? {}) as Json;
  const op: Json = {
    operationId: operationId(route),
    ...(route.summary ? { summary: route.summary } : {}),
    'x-hostpulse-access': route.access,
    security: route.access === 'none' ? [] : [{ bearer: [] }],
    parameters: [
      ...parameters(schema.params as Json | undefined, 'path'),
      ...parameters(schema.querystring as Json | undefined, 'query'),
    ],
    responses: responses(route, schema),
  };
  const body = requestBody(route, schema);
  if (body) op.requestBody = body;
  const patterns = (schema.querystring as Json | undefined)?.patternProperties;
  if (patterns) op['x-hostpulse-query-patterns'] = plain(patterns);
  return op;
}

function parameters(object: Json | undefined, where: 'path' | 'query'): Json[] {
  const properties = (object?.properties ?? {}) as Record<string, Json>;
  const required = new Set((object?.required ?? []) as string[]);
  return Object.entries(properties).map(([name, schema]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    schema: plain(schema),
  }));
}

function requestBody(route: RouteEntry, schema: Json): Json | undefined {
  if (route.bodyMediaType) {
    const binary = { type: 'string', contentMediaType: route.bodyMediaType };
    return { required: true, content: { [route.bodyMediaType]: { schema: binary } } };
  }
  if (!schema.body) return undefined;
  return { required: true, content: { 'application/json': { schema: plain(schema.body) } } };
}

function responses(route: RouteEntry, schema: Json): Json {
  const declared = (schema.response ?? {}) as Record<string, unknown>;
  const ok = declared['200'] ?? declared['2xx'];
  const error = (description: string) => ({
    description,
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  });
  return {
    '200': {
      description: 'done',
      content: { 'application/json': { schema: ok === undefined ? {} : plain(ok) } },
    },
    '400': error('a parameter or the body is wrong'),
    '401': error('no token, or an unknown or revoked one'),
    ...(route.access === 'any' ? {} : { '403': error('a token of the wrong kind or role') }),
    '429': error('overloaded, rate limited or stopping; see Retry-After'),
    '503': error('the database does not answer; see Retry-After'),
  };
}

function operationId(route: RouteEntry): string {
  const words = route.url.replace(/^\/api\/v1\//, '').split(/[/.]/).filter(Boolean);
  const named = words.map((word) => (word.startsWith(':') ? `by-${word.slice(1)}` : word));
  return [route.method.toLowerCase(), ...named].join('-');
}

/** The schema as plain JSON: TypeBox's symbol keys and undefined values dropped. */
function plain(schema: unknown): unknown {
  return JSON.parse(JSON.stringify(schema)) as unknown;
}
