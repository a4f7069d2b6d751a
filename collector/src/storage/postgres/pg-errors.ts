import { HostpulseError } from '@hostpulse/shared';

// Every way node-postgres says "the database cannot be reached" becomes storage_unavailable,
// which the ingest route answers with 503 so agents keep their batches and retry later.

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
]);

// Class 08 is "connection exception"; 57P01-57P03 are shutdowns and a server still starting;
// 53300 is too_many_connections.
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);

const UNAVAILABLE_MESSAGES =
  /connection terminated|timeout exceeded when trying to connect|connection timeout|not queryable|client was closed|cannot use a pool after calling end/i;

export function isUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08')) {
      return true;
    }
  }
  // Node's happy-eyeballs connect gathers one error per address it tried.
  if (err instanceof AggregateError && err.errors.some(isUnavailable)) return true;
  return UNAVAILABLE_MESSAGES.test(err.message);
}

/** Runs one storage operation and gives its failure a code callers act on. */
export async function withPgErrors<T>(what: string, where: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw toStorageError(err, what, where);
  }
}

export function toStorageError(err: unknown, what: string, where: string): Error {
  if (err instanceof HostpulseError) return err;
  const message = err instanceof Error ? err.message || err.name : String(err);
  if (isUnavailable(err)) {
    return new HostpulseError(
      'storage_unavailable',
      `PostgreSQL at ${where} is unavailable (${what}): ${message}`,
      {},
      { cause: err },
    );
  }
  const sqlState = (err as { code?: unknown }).code;
  // invalid_catalog_name: database.url names a database the server does not have. Nothing can
  // be stored until an operator creates it or corrects the URL, so agents keep their batches
  // (503) meanwhile, and the message says both ways out.
  if (sqlState === '3D000') {
    return new HostpulseError(
      'storage_unavailable',
      `PostgreSQL at ${where}: ${message} (${what}); ` +
        'create that database or correct database.url (or DATABASE_URL)',
      { sqlState },
      { cause: err },
    );
  }
  // A deadlock or serialization failure is the luck of timing: the same work succeeds when
  // tried again, so the caller is told to come back rather than that something is broken.
  if (sqlState === '40P01' || sqlState === '40001') {
    return new HostpulseError(
      'storage_unavailable',
      `PostgreSQL ${what} met a concurrent transaction: ${message}; retry`,
      { sqlState },
      { cause: err },
    );
  }
  // A CHECK violation while storing a batch means the batch itself is wrong (a gap that ends
  // before it starts): retrying it can never succeed, so the agent must set it aside.
  if (sqlState === '23514' && what === 'ingest') {
    return new HostpulseError('batch_invalid', `batch refused by the database: ${message}`, {}, { cause: err });
  }
  return new HostpulseError('internal', `PostgreSQL ${what} failed: ${message}`, { sqlState }, { cause: err });
}
