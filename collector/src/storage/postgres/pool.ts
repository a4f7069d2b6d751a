import pg from 'pg';
import { safeUrl, type Logger } from '@hostpulse/shared';

export interface PoolOptions {
  readonly databaseUrl: string;
  readonly poolMax: number;
  readonly log: Logger;
}

const INT8_OID = 20;

// Times are bigint columns; as JS numbers they stay exact up to 2^53 ms (year 287,396), so they
// are parsed as numbers rather than strings. The parser is set on this pool only: changing
// pg.types would change every other pool in the process.
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID) return (text: string) => Number(text);
    return format === 'binary' ? pg.types.getTypeParser(oid, 'binary') : pg.types.getTypeParser(oid);
  },
};

export function createPool(options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: options.poolMax,
    types,
    // Fails a request quickly when the pool or the server is stuck, so callers answer 503.
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    // A query running this long is stuck (a lock, a runaway range); the server cancels it.
    statement_timeout: 30_000,
    application_name: 'hostpulse-collector',
  });
  // An idle client whose server went away emits here; without a listener the process would
  // crash. The pool drops that client and the next query opens a fresh connection.
  pool.on('error', (err) => {
    options.log.warn({ err, database: safeUrl(options.databaseUrl) }, 'idle PostgreSQL connection failed');
  });
  return pool;
}
