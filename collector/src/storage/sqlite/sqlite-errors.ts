import { HostpulseError } from '@hostpulse/shared';

// SQLite error codes (better-sqlite3 puts them in err.code) mapped to what callers act on:
// a locked, full or failing disk is "unavailable" (agents keep their batches and retry); a
// CHECK violation while storing a batch means the batch itself is wrong.

const UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|CANTOPEN|READONLY|NOMEM|CORRUPT|NOTADB)/;

export function withSqliteErrors<T>(what: string, path: string, run: () => T): Promise<T> {
  try {
    return Promise.resolve(run());
  } catch (err) {
    return Promise.reject(toStorageError(err, what, path));
  }
}

function toStorageError(err: unknown, what: string, path: string): Error {
  if (err instanceof HostpulseError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && UNAVAILABLE.test(code)) {
    return new HostpulseError(
      'storage_unavailable',
      `embedded database ${path} is unavailable (${what}): ${message}`,
      { sqliteCode: code },
      { cause: err },
    );
  }
  // better-sqlite3 throws a TypeError once close() has run.
  if (err instanceof TypeError && /database connection is not open/i.test(message)) {
    const closed = `embedded database ${path} is closed (${what})`;
    return new HostpulseError('storage_unavailable', closed, {}, { cause: err });
  }
  if (code === 'SQLITE_CONSTRAINT_CHECK' && what === 'ingest') {
    const refused = `batch refused by the database: ${message}`;
    return new HostpulseError('batch_invalid', refused, {}, { cause: err });
  }
  const failed = `embedded database ${what} failed: ${message}`;
  return new HostpulseError('internal', failed, { sqliteCode: code }, { cause: err });
}
