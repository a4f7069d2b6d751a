import { existsSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { HostpulseError } from '@hostpulse/shared';
import { readMeta } from './schema.js';

// What --once shows about the buffer, read without changing the file in any way.
//
// A read-only SQLite connection to a WAL database still creates the -wal and -shm files when
// they are missing, and files made by root when an operator runs --once would lock the daemon
// (user hostpulse) out of its own buffer. So: when the daemon has the file open (the -wal file
// exists) we share its files read-only; otherwise every committed batch is in the main file,
// and we read an in-memory copy of it instead.

export interface BufferState {
  readonly path: string;
  readonly exists: boolean;
  readonly incarnation?: string;
  readonly batches: number;
  readonly bytes: number;
  readonly oldestCreatedMs?: number;
  readonly droppedTotal: number;
  readonly deadLetters: number;
  readonly lastDeadLetter?: DeadLetterSummary;
  readonly hostId?: string;
}

export interface DeadLetterSummary {
  readonly seq: number;
  readonly reason: string;
  readonly movedMs: number;
}

export function readBufferState(path: string): BufferState {
  if (!existsSync(path)) {
    return { path, exists: false, batches: 0, bytes: 0, droppedTotal: 0, deadLetters: 0 };
  }
  let db: Database.Database | undefined;
  try {
    const shared = existsSync(`${path}-wal`);
    db = shared ? new Database(path, { readonly: true, fileMustExist: true }) : inMemoryCopy(path);
    return readState(db, path);
  } catch (err) {
    const message = `cannot read buffer ${path} (${(err as Error).message})`;
    throw new HostpulseError('storage_unavailable', message, { path }, { cause: err });
  } finally {
    db?.close();
  }
}

function inMemoryCopy(path: string): Database.Database {
  const image = readFileSync(path);
  // Bytes 18 and 19 of the header say "WAL" (2); an in-memory database cannot use WAL, so the
  // copy is marked as a rollback-journal database (1). The file on disk is not touched.
  if (image.length >= 20) {
    image[18] = 1;
    image[19] = 1;
  }
  return new Database(image, { readonly: true });
}

function readState(db: Database.Database, path: string): BufferState {
  const totals = db
    .prepare(
      `SELECT count(*) AS batches, coalesce(sum(bytes), 0) AS bytes, min(created_ms) AS oldest
       FROM batches`,
    )
    .get() as { batches: number; bytes: number; oldest: number | null };
  const dead = db.prepare('SELECT count(*) AS n FROM dead_letters').get() as { n: number };
  const last = db
    .prepare('SELECT seq, reason, moved_ms FROM dead_letters ORDER BY seq DESC LIMIT 1')
    .get() as { seq: number; reason: string; moved_ms: number } | undefined;
  return {
    path,
    exists: true,
    incarnation: readMeta(db, 'incarnation'),
    batches: totals.batches,
    bytes: totals.bytes,
    oldestCreatedMs: totals.oldest ?? undefined,
    droppedTotal: Number(readMeta(db, 'dropped_total') ?? 0),
    deadLetters: dead.n,
    lastDeadLetter: last && { seq: last.seq, reason: last.reason, movedMs: last.moved_ms },
    hostId: readMeta(db, 'host_id'),
  };
}
