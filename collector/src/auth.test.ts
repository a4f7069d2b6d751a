import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { authorize, bearerToken, generateToken, hashToken, isAllowed, tokenMatches, type Access } from './auth.js';
import { createErrorHandler } from './http-errors.js';
import type { Storage, TokenRecord } from './storage/storage.js';

function record(kind: TokenRecord['kind'], role: TokenRecord['role']): TokenRecord {
  return { name: `${kind}-${role ?? 'none'}`, kind, role, createdMs: 0, revokedMs: null };
}

const agent = record('agent', null);
const viewer = record('api', 'viewer');
const operator = record('api', 'operator');
const admin = record('api', 'admin');

describe('tokens', () => {
  it('are hp_ plus 32 random bytes in base64url, different every time', () => {
    const a = generateToken();
    expect(a).toMatch(/^hp_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.slice(3), 'base64url')).toHaveLength(32);
    expect(generateToken()).not.toBe(a);
  });

  it('are kept as a SHA-256 hex hash and matched in constant time', () => {
    const token = generateToken();
    expect(hashToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(tokenMatches(token, hashToken(token))).toBe(true);
    expect(tokenMatches(generateToken(), hashToken(token))).toBe(false);
    expect(tokenMatches(token, 'abcd')).toBe(false);
  });

  it('are read from a Bearer header only', () => {
    expect(bearerToken('Bearer hp_abc')).toBe('hp_abc');
    expect(bearerToken('bearer   hp_abc ')).toBe('hp_abc');
    expect(bearerToken('Basic dXNlcjpwYXNz')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});

describe('isAllowed', () => {
  const table: [TokenRecord, Access, boolean][] = [
    [agent, 'agent', true],
    [agent, 'any', true],
    [agent, 'viewer', false],
    [viewer, 'agent', false],
    [viewer, 'viewer', true],
    [viewer, 'operator', false],
    [operator, 'viewer', true],
    [operator, 'operator', true],
    [operator, 'admin', false],
    [admin, 'admin', true],
    [admin, 'viewer', true],
    [admin, 'any', true],
  ];
  it.each(table)('%o for %s → %s', (token, access, allowed) => {
    expect(isAllowed(token, access)).toBe(allowed);
  });
});

describe('authorize', () => {
  // Pure logic of the preHandler over a token table; the HTTP path with the real storage is
  // covered in collector/test/roles.test.ts.
  const tokens = new Map<string, TokenRecord>();
  const viewerToken = generateToken();
  const agentToken = generateToken();
  tokens.set(hashToken(viewerToken), viewer);
  tokens.set(hashToken(agentToken), agent);
  const storage = { findToken: async (hash: string) => tokens.get(hash) } as unknown as Storage;

  async function call(access: Access, header?: string) {
    const app = Fastify();
    app.decorateRequest('token', null);
    app.setErrorHandler(createErrorHandler());
    app.get('/', { preHandler: authorize(storage, access) }, async (request) => ({ name: request.token?.name }));
    const response = await app.inject({ method: 'GET', url: '/', headers: header ? { authorization: header } : {} });
    await app.close();
    return { status: response.statusCode, body: response.json() };
  }

  it('answers 401 without a token, with a junk one and with an unknown one', async () => {
    expect(await call('viewer')).toEqual({
      status: 401,
      body: { error: { code: 'unauthorized', message: 'no token: send Authorization: Bearer <token>' } },
    });
    expect((await call('viewer', 'Bearer junk')).body.error.code).toBe('unauthorized');
    const malformed = {
      code: 'unauthorized',
      message: 'the Authorization header is malformed: write Bearer, a space and one token (Authorization: Bearer <token>)',
    };
    for (const header of [`Bearer ${viewerToken} extra`, `Basic ${viewerToken}`, 'Bearer']) {
      expect(await call('viewer', header)).toEqual({ status: 401, body: { error: malformed } });
    }
    const unknown = await call('viewer', `Bearer ${generateToken()}`);
    expect(unknown).toEqual({ status: 401, body: { error: { code: 'unauthorized', message: 'the token is unknown or revoked' } } });
  });

  it('answers 403 to an agent token on a viewer route and names the token', async () => {
    const result = await call('viewer', `Bearer ${agentToken}`);
    expect(result.status).toBe(403);
    expect(result.body.error).toEqual({
      code: 'forbidden',
      message: 'token "agent-none" is an agent token; it may only ingest and ping',
    });
  });

  it('answers 403 to a viewer on an operator route, and lets a viewer read', async () => {
    const refused = await call('operator', `Bearer ${viewerToken}`);
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toBe('token "api-viewer" has role viewer; this needs operator or above');
    expect(await call('viewer', `Bearer ${viewerToken}`)).toEqual({ status: 200, body: { name: 'api-viewer' } });
  });
});
