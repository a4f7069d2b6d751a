import { describe, expect, it } from 'vitest';
import { toStorageError } from './pg-errors.js';

// How PostgreSQL's errors reach callers: what to retry, what to set aside, what is a bug.

function pgError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('toStorageError', () => {
  it('tells callers to retry after a deadlock or a serialization failure', () => {
    for (const code of ['40P01', '40001']) {
      const err = toStorageError(pgError(code, 'deadlock detected'), 'ingest', 'postgres://db');
      expect(err).toMatchObject({ code: 'storage_unavailable', details: { sqlState: code } });
      expect(err.message).toBe('PostgreSQL ingest met a concurrent transaction: deadlock detected; retry');
    }
  });

  it('keeps a refused CHECK on ingest a bad batch, and anything unknown internal', () => {
    const check = toStorageError(pgError('23514', 'violates check'), 'ingest', 'postgres://db');
    expect(check).toMatchObject({ code: 'batch_invalid' });
    const other = toStorageError(pgError('42P01', 'relation "x" does not exist'), 'query', 'postgres://db');
    expect(other).toMatchObject({ code: 'internal', message: 'PostgreSQL query failed: relation "x" does not exist' });
  });
});
