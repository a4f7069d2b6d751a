import Fastify from 'fastify';
import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { HostpulseError, type ErrorCode } from '@hostpulse/shared';
import { STATUS_BY_CODE, createErrorHandler, handleNotFound } from './http-errors.js';
import { INGEST_PATH } from './routes/ingest.js';

async function appWith(routes: (app: ReturnType<typeof Fastify>) => void) {
  const logged: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const stream = {
    write: (line: string) => {
      raw.push(line);
      logged.push(JSON.parse(line));
    },
  };
  const app = Fastify({
    logger: { level: 'info', stream } as never,
    bodyLimit: 100,
    ajv: { customOptions: { removeAdditional: false, verbose: true } },
  });
  app.setErrorHandler(createErrorHandler());
  app.setNotFoundHandler(handleNotFound);
  routes(app);
  await app.ready();
  return { app, logged, raw };
}

describe('STATUS_BY_CODE', () => {
  it('gives every error code its documented status', () => {
    const expected: Record<ErrorCode, number> = {
      bad_request: 400,
      batch_invalid: 400,
      unauthorized: 401,
      forbidden: 403,
      not_found: 404,
      batch_too_large: 413,
      overloaded: 429,
      config_invalid: 500,
      internal: 500,
      storage_unavailable: 503,
    };
    expect(STATUS_BY_CODE).toEqual(expected);
  });
});

describe('handleError', () => {
  it('sends a HostpulseError as code and message with its status', async () => {
    const { app } = await appWith((a) =>
      a.get('/', async () => {
        throw new HostpulseError('not_found', 'host "web-9" is not known');
      }),
    );
    const response = await app.inject({ url: '/' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: { code: 'not_found', message: 'host "web-9" is not known' } });
  });

  it('adds Retry-After to storage_unavailable and overloaded', async () => {
    const { app } = await appWith((a) => {
      a.get('/db', async () => {
        throw new HostpulseError('storage_unavailable', 'the database does not answer');
      });
      a.get('/busy', async () => {
        throw new HostpulseError('overloaded', 'too many requests');
      });
    });
    const db = await app.inject({ url: '/db' });
    expect(db.statusCode).toBe(503);
    expect(db.headers['retry-after']).toBe('5');
    expect(db.json().error).toEqual({
      code: 'storage_unavailable',
      message: 'the database is unavailable; retry later (the collector log has the details)',
    });
    const busy = await app.inject({ url: '/busy' });
    expect([busy.statusCode, busy.headers['retry-after']]).toEqual([429, '5']);
  });

  it('logs a run of storage_unavailable once per interval with a count', async () => {
    const { app, logged } = await appWith((a) =>
      a.get('/', async () => {
        throw new HostpulseError('storage_unavailable', 'PostgreSQL at 10.0.0.5 is unavailable');
      }),
    );
    for (let i = 0; i < 5; i += 1) expect((await app.inject({ url: '/' })).statusCode).toBe(503);
    const lines = logged.filter((l) => l.msg === 'storage unavailable');
    expect(lines).toHaveLength(1);
    expect(JSON.stringify(lines[0])).toContain('PostgreSQL at 10.0.0.5 is unavailable');
  });

  it('hides anything unexpected behind a bare internal error and logs it in full', async () => {
    const { app, logged } = await appWith((a) =>
      a.get('/', async () => {
        throw new Error('relation "samples" does not exist at postgres://admin:pw@db');
      }),
    );
    const response = await app.inject({ url: '/' });
    expect(response.statusCode).toBe(500);
    const body = response.json();
    expect(body.error.code).toBe('internal');
    expect(body.error.message).toMatch(/^internal error; the collector log has the details \(request req-\w+\)$/);
    expect(JSON.stringify(body)).not.toContain('postgres');
    const line = logged.find((l) => l.msg === 'request failed');
    expect(line).toBeDefined();
    expect(JSON.stringify(line)).toContain('relation \\"samples\\" does not exist');
  });

  it('names the request once in each line it logs about it (request.log carries reqId already)', async () => {
    const { app, raw } = await appWith((a) => {
      a.get('/refused', async () => {
        throw new HostpulseError('bad_request', 'no');
      });
      a.get('/failed', async () => {
        throw new Error('boom');
      });
    });
    await app.inject({ url: '/refused' });
    await app.inject({ url: '/failed' });
    const lines = raw.filter((line) => /"msg":"request (refused|failed)"/.test(line));
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line.match(/"reqId"/g)).toHaveLength(1);
  });

  it('maps a body over the limit to 413 batch_too_large', async () => {
    const { app } = await appWith((a) => a.post('/', async () => ({ ok: true })));
    const response = await app.inject({
      method: 'POST',
      url: '/',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ data: 'x'.repeat(200) }),
    });
    expect(response.statusCode).toBe(413);
    expect(response.json().error).toEqual({
      code: 'batch_too_large',
      message: 'the request body is larger than limits.max_body_bytes',
    });
  });

  it('maps an unsupported Content-Type to 400 bad_request quoting it', async () => {
    const { app } = await appWith((a) => a.post('/', async () => ({ ok: true })));
    const response = await app.inject({ method: 'POST', url: '/', headers: { 'content-type': 'text/csv' }, payload: 'a,b' });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toEqual({ code: 'bad_request', message: 'Content-Type "text/csv" is not accepted here' });
  });

  it('maps unparsable JSON to 400 bad_request', async () => {
    const { app } = await appWith((a) => a.post('/', async () => ({ ok: true })));
    const response = await app.inject({ method: 'POST', url: '/', headers: { 'content-type': 'application/json' }, payload: '{' });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toEqual({
      code: 'bad_request',
      message: "Body is not valid JSON but content-type is set to 'application/json'",
    });
  });

  it.each(['{', ''])('maps JSON %j sent to the ingest path to 400 batch_invalid, as any body not protobuf', async (body) => {
    const { app } = await appWith((a) => a.post(INGEST_PATH, async () => ({ ok: true })));
    const headers = { 'content-type': 'application/json' };
    const response = await app.inject({ method: 'POST', url: INGEST_PATH, headers, payload: body });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toEqual({
      code: 'batch_invalid',
      message: 'the body must be application/x-protobuf, not Content-Type "application/json"',
    });
  });

  describe('query validation', () => {
    const schema = Type.Object(
      {
        metric: Type.String({ pattern: '^[a-z_]+$' }),
        agg: Type.Unsafe<string>({ type: 'string', enum: ['avg', 'max'], default: 'avg' }),
      },
      { additionalProperties: false },
    );
    const ready = appWith((a) => a.get('/q', { schema: { querystring: schema } }, async () => ({ ok: true })));

    it.each([
      ['/q', 'query parameter metric: is required'],
      ['/q?metric=cpu&agg=median', 'query parameter agg: "median" is not one of avg, max'],
      ['/q?metric=CPU!', 'query parameter metric: "CPU!" must match pattern "^[a-z_]+$"'],
      ['/q?metric=cpu&metirc=x', 'query parameter "metirc" is not known here (known: metric, agg)'],
      ['/q?metric=a&metric=b', 'query parameter metric: given 2 times ("a", "b"); give it once'],
      ['/q?metric=a&agg=avg&agg=max', 'query parameter agg: given 2 times ("avg", "max"); give it once'],
    ])('%s → %s', async (url, message) => {
      const { app } = await ready;
      const response = await app.inject({ url });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({ error: { code: 'bad_request', message } });
    });
  });

  it.each([
    ['hello', 'text/plain'],
    ['[1]', 'application/json'],
    ['null', 'application/json'],
  ])('says a body %s (%s) must be a JSON object', async (payload, type) => {
    const schema = Type.Object({ name: Type.String() });
    const { app } = await appWith((a) => a.post('/', { schema: { body: schema } }, async () => ({ ok: true })));
    const response = await app.inject({ method: 'POST', url: '/', headers: { 'content-type': type }, payload });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toEqual({
      code: 'bad_request',
      message: 'the body must be a JSON object (Content-Type: application/json)',
    });
  });

  it('answers an unknown route with 404 not_found', async () => {
    const { app } = await appWith(() => undefined);
    const response = await app.inject({ url: '/api/v1/nothing?x=1' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: { code: 'not_found', message: 'no route GET /api/v1/nothing' } });
  });
});
