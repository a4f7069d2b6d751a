import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HostpulseError } from '@hostpulse/shared';

// No name, id or label the collector stores can hold a NUL byte (ingest refuses one), and
// PostgreSQL refuses it in any text it is given, which made a query with %00 in it a 500 there
// and a 404 on SQLite. So a NUL anywhere in the path parameters or the query string is refused
// before the handler, naming where it was, the same on both backends. A JSON body is held to
// the same: a silence matcher or comment with a NUL was stored on SQLite (and matched nothing
// any query can name) and failed with a 500 on PostgreSQL. The check is added after each
// route's own preHandlers, so a request without a valid token still gets its 401 or 403, and a
// body the schema refuses gets that message first.

export function refuseNulBytes(app: FastifyInstance): void {
  const refuse = async (request: FastifyRequest) => {
    check('path parameter', request.params);
    check('query parameter', request.query);
    checkBody(request.body);
  };
  app.addHook('onRoute', (route) => {
    const own = route.preHandler === undefined ? [] : [route.preHandler].flat();
    route.preHandler = [...own, refuse];
  });
}

/** Parameters are named as sent: one given twice (`metric[1]`) is still `metric`. */
function check(kind: string, values: unknown): void {
  if (typeof values !== 'object' || values === null) return;
  const at = nulPath(values);
  if (at === undefined) return;
  const name = at.replace(/\[\d+\]$/, '');
  const message = `${kind} ${name} holds a NUL byte, which no name or label can hold`;
  throw new HostpulseError('bad_request', message);
}

function checkBody(body: unknown): void {
  const at = nulPath(body);
  if (at === undefined) return;
  const where = at === '' ? 'the body' : `body ${at}`;
  const message = `${where} holds a NUL byte, which no stored text can hold`;
  throw new HostpulseError('bad_request', message);
}

/**
 * Where the first NUL in a parsed JSON body is (`matchers.rule`, `items[2]`; '' for the body
 * itself), or undefined. A walk with its own stack: a body nested a million deep must not
 * overflow the call stack. Binary bodies (ingest's protobuf) are not text and are skipped.
 */
function nulPath(body: unknown): string | undefined {
  const stack: [unknown, string][] = [[body, '']];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return path;
      continue;
    }
    if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) continue;
    const isArray = Array.isArray(value);
    for (const [key, item] of Object.entries(value)) {
      const at = isArray ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;
      if (key.includes('\u0000')) return at;
      stack.push([item, at]);
    }
  }
  return undefined;
}
