import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionError, FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { HostpulseError, quote, type ErrorCode, type Logger } from '@hostpulse/shared';
import { BATCH_LIMITS } from './routes/batch-limits.js';
import { INGEST_PATH, PROTOBUF } from './routes/ingest.js';
import { COMMON_HEADERS, setCommonHeaders } from './security-headers.js';
import { describeValidation } from './validation-message.js';

// The one place where error codes become HTTP statuses and where every error leaving a route
// becomes {"error":{"code","message"}}. docs/errors.md explains each code to operators.

export const STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = {
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

/** Seconds a client should wait before retrying; agents honour it with jitter (SPEC §4). */
export const RETRY_AFTER_SECONDS = 5;

/** How often a run of storage_unavailable answers is logged while the database stays away. */
const UNAVAILABLE_LOG_EVERY_MS = 10_000;

const UNAVAILABLE_SUFFIX = 'is unavailable; retry later (the collector log has the details)';

/**
 * Fastify's router refuses a path parameter longer than this (its default, 100, cut off host
 * names that ingest stores). The longest id or name stored is a host name of
 * BATCH_LIMITS.hostNameChars UTF-16 units; in a URL each unit takes at most 3 bytes of UTF-8
 * (a 4-byte character is 2 units), each written %XX. The route schemas then hold each
 * parameter to what can be stored, after decoding.
 */
export const MAX_PARAM_CHARS = BATCH_LIMITS.hostNameChars * 3 * 3;

export interface ErrorBody {
  readonly error: { readonly code: ErrorCode; readonly message: string };
}

export function errorBody(code: ErrorCode, message: string): ErrorBody {
  return { error: { code, message } };
}

type ErrorHandler = (error: unknown, request: FastifyRequest, reply: FastifyReply) => void;

/**
 * Told of every error answer, for self-metrics: `reason` is the error code, or the finer
 * `details.reason` an error carries (rate_limited is an overloaded answer).
 */
export type ErrorObserver = (request: FastifyRequest, reason: string) => void;

/**
 * Fastify's error handler: sends the error JSON, logs 4xx at info and 5xx at error. While the
 * database is away every request fails alike, so those are logged once per interval with a
 * count, not once per request (1,000 agents would write 100 lines a second).
 */
export function createErrorHandler(
  now: () => number = Date.now,
  observe?: ErrorObserver,
): ErrorHandler {
  let lastUnavailableLogMs = -Infinity;
  let unloggedUnavailable = 0;

  function logUnavailable(error: unknown, request: FastifyRequest): void {
    unloggedUnavailable += 1;
    if (now() - lastUnavailableLogMs < UNAVAILABLE_LOG_EVERY_MS) return;
    const fields = { err: error, failedRequests: unloggedUnavailable };
    request.log.error(fields, 'storage unavailable');
    lastUnavailableLogMs = now();
    unloggedUnavailable = 0;
  }

  return (error, request, reply) => {
    const known = toHostpulseError(error, request);
    const status = STATUS_BY_CODE[known.code];
    if (known.code === 'storage_unavailable') {
      logUnavailable(error, request);
    } else if (status >= 500) {
      // The client gets a bare message; the full error, with its stack, stays in our log.
      request.log.error({ err: error, code: known.code }, 'request failed');
    } else {
      const fields = { code: known.code, reason: known.message };
      request.log.info(fields, 'request refused');
    }

    if (known.code === 'storage_unavailable' || known.code === 'overloaded') {
      reply.header('retry-after', String(retryAfterOf(known)));
    }
    observe?.(request, typeof known.details.reason === 'string' ? known.details.reason : known.code);
    void reply.code(status).send(errorBody(known.code, known.message));
  };
}

/** An error's own wait (the rate limiter knows when the bucket refills), else the default. */
function retryAfterOf(error: HostpulseError): number {
  const seconds = error.details.retryAfterSeconds;
  return typeof seconds === 'number' && seconds > 0 ? Math.ceil(seconds) : RETRY_AFTER_SECONDS;
}

/**
 * Fastify's `frameworkErrors`: what its router refuses before any route is chosen, answered in
 * our form. No route means no route hooks: the token check cannot run first, so these answers
 * come before a 401, and they tell nothing about the data behind the route.
 */
export function createFrameworkErrorHandler(handleError: ErrorHandler) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    setCommonHeaders(reply);
    handleError(frameworkError(error, request), request, reply);
  };
}

function frameworkError(error: FastifyError, request: FastifyRequest): unknown {
  switch (error.code) {
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new HostpulseError(
        'bad_request',
        `a path parameter is longer than ${MAX_PARAM_CHARS} characters as written in the URL; ` +
          'no id or name the collector stores is that long',
      );
    case 'FST_ERR_BAD_URL': {
      const path = quote(request.url.split('?')[0]);
      return new HostpulseError(
        'bad_request',
        `the path ${path} is not valid URL encoding: each % starts %XX (two hex digits) and ` +
          'the bytes must be UTF-8; write % itself as %25',
      );
    }
    default:
      return error;
  }
}

/** Node keeps the response being written on a connection here (not public API). */
interface SocketWithResponse {
  readonly _httpMessage?: { readonly headersSent?: boolean };
}

/** How long a connection refused by the HTTP parser may stay half-open for its answer. */
const CLIENT_ERROR_LINGER_MS = 5_000;

/** A request Node's HTTP parser refused: the status, and what the client is told. */
interface ClientRefusal {
  readonly status: number;
  readonly message: string;
}

function clientRefusal(error: ConnectionError): ClientRefusal {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        message:
          'the request line and headers are larger than the 16 KiB Node reads; ' +
          'shorten the URL (fewer or shorter query parameters) or the headers',
      };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, message: 'the request did not arrive in full in time' };
    case 'HPE_INVALID_HEADER_TOKEN':
      return {
        status: 400,
        message:
          'a header name or value holds a character HTTP does not allow, such as a control ' +
          'character; check the Authorization header for a stray line break',
      };
  }
  // llhttp's reason (`Invalid method encountered`) describes the request, never our data.
  const reason = (error as unknown as { reason?: unknown }).reason;
  const why = typeof reason === 'string' ? ` (${reason})` : '';
  return { status: 400, message: `the request is not valid HTTP${why}` };
}

/**
 * Fastify's `clientErrorHandler`: Node's HTTP parser refused the request (a URL and headers over
 * 16 KiB, a control character in a header, a request that is not HTTP) before Fastify made a
 * request of it. There is no route and no token check; the answer, in our form, is written to
 * the socket, which then closes, because the parser cannot find where the next request starts.
 */
export function createClientErrorHandler(log: Logger) {
  return (error: ConnectionError, socket: Socket): void => {
    // A reset connection has nobody to answer; a second parser error on a socket we already
    // answered must not write again.
    if (error.code === 'ECONNRESET' || socket.destroyed || socket.writableEnded) return;
    const { status, message } = clientRefusal(error);
    log.info({ code: 'bad_request', reason: message, parserCode: error.code }, 'request refused');
    // As Node's own handler does: an answer to an earlier request on this connection that has
    // begun to go out must not have ours written into its middle.
    const pending = (socket as unknown as SocketWithResponse)._httpMessage;
    if (!socket.writable || pending?.headersSent === true) {
      socket.destroy();
      return;
    }
    const body = JSON.stringify(errorBody('bad_request', message));
    socket.end(
      [
        `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
        'content-type: application/json; charset=utf-8',
        `content-length: ${Buffer.byteLength(body)}`,
        ...Object.entries(COMMON_HEADERS).map(([name, value]) => `${name}: ${value}`),
        'connection: close',
        '',
        body,
      ].join('\r\n'),
    );
    // end() lets the answer reach the client before the connection closes (destroying at once
    // could reset it with the answer unread); a client that never closes its side is let go
    // after a while rather than holding the socket open.
    socket.setTimeout(CLIENT_ERROR_LINGER_MS, () => socket.destroy());
  };
}

/** Any route that does not exist answers like every other error. */
export function handleNotFound(request: FastifyRequest, reply: FastifyReply): void {
  const path = request.url.split('?')[0];
  void reply
    .code(STATUS_BY_CODE.not_found)
    .send(errorBody('not_found', `no route ${request.method} ${path}`));
}

/** What the client is told: our own errors as they are, Fastify's mapped, the rest bare. */
export function toHostpulseError(error: unknown, request: FastifyRequest): HostpulseError {
  if (error instanceof HostpulseError) return forClient(error, request);

  const fastifyError = error as Partial<FastifyError>;
  if (fastifyError.validation) {
    return new HostpulseError('bad_request', describeValidation(fastifyError));
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HostpulseError('batch_too_large', 'the request body is larger than limits.max_body_bytes');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': {
      if (request.routeOptions.url === INGEST_PATH) return notProtobuf(request);
      const type = quote(request.headers['content-type'] ?? '');
      return new HostpulseError('bad_request', `Content-Type ${type} is not accepted here`);
    }
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      // Fastify parses application/json on every route before the ingest handler could say
      // that JSON is no batch; on ingest the JSON's own flaw is beside the point.
      if (request.routeOptions.url === INGEST_PATH) return notProtobuf(request);
      break;
  }
  const status = fastifyError.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    // Fastify's own client errors (bad Content-Length, unparsable JSON): its message is safe
    // to return because it describes the request, not our internals.
    return new HostpulseError('bad_request', fastifyError.message ?? 'bad request');
  }
  return bareInternal(request);
}

/** An agent sets a batch it cannot send aside on batch_invalid, whatever made it so. */
function notProtobuf(request: FastifyRequest): HostpulseError {
  const type = quote(request.headers['content-type'] ?? '');
  const message = `the body must be ${PROTOBUF}, not Content-Type ${type}`;
  return new HostpulseError('batch_invalid', message);
}

function forClient(error: HostpulseError, request: FastifyRequest): HostpulseError {
  if (STATUS_BY_CODE[error.code] === 500) return bareInternal(request);
  // The message names the database or Redis host; that is for our log, not for any caller.
  if (error.code === 'storage_unavailable') {
    const what = error.details.dependency === 'redis' ? 'Redis' : 'the database';
    return new HostpulseError('storage_unavailable', `${what} ${UNAVAILABLE_SUFFIX}`);
  }
  return error;
}

function bareInternal(request: FastifyRequest): HostpulseError {
  const message = `internal error; the collector log has the details (request ${request.id})`;
  return new HostpulseError('internal', message);
}
