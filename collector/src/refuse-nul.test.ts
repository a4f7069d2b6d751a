import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { createErrorHandler } from './http-errors.js';
import { refuseNulBytes } from './refuse-nul.js';

// The NUL check on any route: path, query and JSON body, naming where the NUL was.

async function appWithEcho() {
  const app = Fastify();
  app.setErrorHandler(createErrorHandler());
  refuseNulBytes(app);
  app.addContentTypeParser('application/x-protobuf', { parseAs: 'buffer' }, (_r, body, done) => done(null, body));
  app.post('/echo/:id', async () => ({ ok: true }));
  await app.ready();
  return app;
}

async function post(body: string, type = 'application/json', path = '/echo/x') {
  const app = await appWithEcho();
  const response = await app.inject({ method: 'POST', url: path, headers: { 'content-type': type }, payload: body });
  await app.close();
  return { status: response.statusCode, body: response.json() };
}

describe('refuseNulBytes', () => {
  it.each([
    ['{"matchers":{"rule":"x\\u0000"}}', 'body matchers.rule holds a NUL byte'],
    ['{"items":["a",{"b":"\\u0000"}]}', 'body items[1].b holds a NUL byte'],
    ['{"a\\u0000":"x"}', 'body a\u0000 holds a NUL byte'],
    ['"\\u0000"', 'the body holds a NUL byte'],
  ])('refuses %s', async (body, start) => {
    const answer = await post(body);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('bad_request');
    expect(answer.body.error.message).toBe(`${start}, which no stored text can hold`);
  });

  it('still names a path or query parameter as before', async () => {
    const answer = await post('{}', 'application/json', '/echo/a%00?x=1');
    expect(answer.body.error.message).toBe('path parameter id holds a NUL byte, which no name or label can hold');
  });

  it('passes a body without NUL, a binary body and one nested very deep', async () => {
    expect((await post('{"a":["b",{"c":"d"}]}')).status).toBe(200);
    expect((await post('\u0000\u0001', 'application/x-protobuf')).status).toBe(200);
    const deep = `${'['.repeat(5_000)}"x"${']'.repeat(5_000)}`;
    expect((await post(deep)).status).toBe(200);
  });
});
