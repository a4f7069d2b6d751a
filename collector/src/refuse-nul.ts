import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HostpulseError } from '@hostpulse/shared';

// No name, id or label the collector stores can hold a NUL byte (ingest refuses one), and
// PostgreSQL refuses it in any text it is given, which made a query with %00 in it a 500 there
// and a 404 on SQLite. So a NUL anywhere in the path parameters or the query string is refused
// before the handler, naming where it was, the same on both backends. The check is added after
// each route's own preHandlers, so a request without a valid token still gets its 401 or 403.

export function refuseNulBytes(app: FastifyInstance): void {
  const refuse = async (request: FastifyRequest) => {
    check('path parameter', request.params);
    check('query parameter', request.query);
  };
  app.addHook('onRoute', (route) => {
    const own = route.preHandler === undefined ? [] : [route.preHandler].flat();
    route.preHandler = [...own, refuse];
  });
}

function check(kind: string, values: unknown): void {
  if (typeof values !== 'object' || values === null) return;
  for (const [name, value] of Object.entries(values)) {
    const texts = Array.isArray(value) ? value : [value];
    if (texts.some((text) => typeof text === 'string' && text.includes('\u0000'))) {
      const message = `${kind} ${name} holds a NUL byte, which no name or label can hold`;
      throw new HostpulseError('bad_request', message);
    }
  }
}
