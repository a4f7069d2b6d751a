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

  it('names a database that does not exist once, with both ways out', () => {
    const missing = pgError('3D000', 'database "hp" does not exist');
    const err = toStorageError(missing, 'migrate', 'postgres://db:5432/hp');
    expect(err).toMatchObject({ code: 'storage_unavailable', details: { sqlState: '3D000' } });
    expect(err.message).toBe(
      'PostgreSQL at postgres://db:5432/hp: database "hp" does not exist (migrate); ' +
        'create that database or correct database.url (or DATABASE_URL)',
    );
  });

  it('keeps a refused CHECK on ingest a bad batch, and anything unknown internal', () => {
    const check = toStorageError(pgError('23514', 'violates check'), 'ingest', 'postgres://db');
    expect(check).toMatchObject({ code: 'batch_invalid' });
    const other = toStorageError(pgError('42P01', 'relation "x" does not exist'), 'query', 'postgres://db');
    expect(other).toMatchObject({ code: 'internal', message: 'PostgreSQL query failed: relation "x" does not exist' });
  });
});
