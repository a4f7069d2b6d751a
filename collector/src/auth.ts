import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HostpulseError } from '@hostpulse/shared';
import type { Role, Storage, TokenRecord } from './storage/storage.js';

// Bearer tokens. A token is `hp_` + 32 random bytes; the database keeps only its SHA-256, so a
// leaked database gives no usable token. Looking a token up by its hash is safe because the
// secret has 256 bits of entropy: the hash reveals nothing an attacker could walk towards.

const TOKEN_PREFIX = 'hp_';
const TOKEN_SHAPE = /^hp_[A-Za-z0-9_-]{43}$/;

/** What a route demands: an agent token, any live token, or an API token of at least a role. */
export type Access = 'agent' | 'any' | Role;

const ROLE_RANK: Readonly<Record<Role, number>> = { viewer: 1, operator: 2, admin: 3 };

declare module 'fastify' {
  interface FastifyRequest {
    /** The token this request was authenticated with; set by the authorize() preHandler. */
    token: TokenRecord | null;
  }
}

export function generateToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** True when `token` hashes to `expectedHash`, compared in constant time. */
export function tokenMatches(token: string, expectedHash: string): boolean {
  const actual = Buffer.from(hashToken(token), 'hex');
  const expected = Buffer.from(expectedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** The token of an `Authorization: Bearer …` header, or undefined when there is none. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

export function isAllowed(token: TokenRecord, access: Access): boolean {
  if (access === 'any') return true;
  if (access === 'agent') return token.kind === 'agent';
  if (token.kind !== 'api' || token.role === null) return false;
  return ROLE_RANK[token.role] >= ROLE_RANK[access];
}

/** Finds the live token behind an Authorization header; throws `unauthorized` otherwise. */
export async function authenticate(
  storage: Storage,
  header: string | undefined,
): Promise<TokenRecord> {
  if (header === undefined) {
    throw new HostpulseError('unauthorized', 'no token: send Authorization: Bearer <token>');
  }
  const token = bearerToken(header);
  if (token === undefined) {
    // The header is not quoted: whatever it holds may be a secret.
    const message =
      'the Authorization header is malformed: write Bearer, a space and one token ' +
      '(Authorization: Bearer <token>)';
    throw new HostpulseError('unauthorized', message);
  }
  // A string of the wrong shape cannot be one of ours; sparing the lookup also keeps junk
  // headers away from the database.
  const found = TOKEN_SHAPE.test(token) ? await storage.findToken(hashToken(token)) : undefined;
  if (!found) throw new HostpulseError('unauthorized', 'the token is unknown or revoked');
  return found;
}

/** A hook that authorize() made, carrying the access it demands. */
export type AuthorizeHook = ((request: FastifyRequest, reply: FastifyReply) => Promise<void>) & {
  readonly [ACCESS]: Access;
};

const ACCESS = Symbol('hostpulse.access');

/**
 * A hook that lets a request through only with a token that grants `access`. Put it in a
 * route's `preHandler` or `onRequest`: the server moves it to the front of onRequest either
 * way (route-table.ts), so a refused request is never parsed or validated, and the route
 * table knows which role each route needs.
 */
export function authorize(storage: Storage, access: Access): AuthorizeHook {
  const hook = async (request: FastifyRequest, _reply: FastifyReply) => {
    const token = await authenticate(storage, request.headers.authorization);
    if (!isAllowed(token, access)) {
      throw new HostpulseError('forbidden', forbiddenReason(token, access), { token: token.name });
    }
    request.token = token;
  };
  return Object.assign(hook, { [ACCESS]: access });
}

/** The access an authorize() hook demands; undefined for any other function. */
export function accessOf(hook: unknown): Access | undefined {
  if (typeof hook !== 'function') return undefined;
  return (hook as Partial<AuthorizeHook>)[ACCESS];
}

function forbiddenReason(token: TokenRecord, access: Access): string {
  if (access === 'agent') return `token ${JSON.stringify(token.name)} is not an agent token`;
  if (token.kind === 'agent') {
    return `token ${JSON.stringify(token.name)} is an agent token; it may only ingest and ping`;
  }
  const role = token.role ?? 'none';
  return `token ${JSON.stringify(token.name)} has role ${role}; this needs ${access} or above`;
}
