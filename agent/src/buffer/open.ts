import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { HostpulseError, type Logger } from '@hostpulse/shared';
import { createSchema, hasTables, schemaProblem } from './schema.js';

// Opening the buffer file. A damaged file (cut short by a full disk, overwritten, from another
// program) is set aside under a new name and a fresh buffer is made: an agent that refused to
// start would lose every sample from now on, while the damaged file stays for an operator to
// inspect. Errors that are not about the file's content (permissions, a missing mount) are
// thrown, since a fresh file would not fare better.

const DAMAGE_CODES = new Set([
  'SQLITE_NOTADB',
  'SQLITE_CORRUPT',
  'SQLITE_CORRUPT_VTAB',
  'SQLITE_FORMAT',
]);

// What an operator reads in the log line about a set-aside file.
const SET_ASIDE_HELP =
  'the batches in the set-aside file were not sent and will not be; nothing needs doing for ' +
  'the agent to go on. Keep the file to inspect it (sqlite3 FILE .recover), else delete it';

const INCREMENTAL = 2;
const WAL_SIZE_LIMIT_BYTES = 1024 * 1024;

export interface OpenedBuffer {
  readonly db: Database.Database;
  /** Where a damaged file was moved, when one was. */
  readonly setAsidePath?: string;
}

export function openBufferFile(path: string, log: Logger, nowMs: number): OpenedBuffer {
  mkdirSync(dirname(path), { recursive: true });
  const existed = existsSync(path);
  let db: Database.Database | undefined;
  try {
    db = openWithPragmas(path);
    const damage = existed ? findDamage(db) : undefined;
    if (damage === undefined) {
      if (!hasTables(db)) createSchema(db, nowMs);
      else switchToIncrementalVacuum(db, path, log);
      return { db };
    }
    db.close();
    return { db: freshAfterDamage(path, damage, log, nowMs), setAsidePath: asidePath(path, nowMs) };
  } catch (err) {
    db?.close();
    const code = (err as { code?: string }).code ?? '';
    const reason = (err as Error).message;
    if (!DAMAGE_CODES.has(code)) {
      const message = `cannot open buffer ${path} (${reason})`;
      throw new HostpulseError('storage_unavailable', message, { path }, { cause: err });
    }
    const fresh = freshAfterDamage(path, `${code}: ${reason}`, log, nowMs);
    return { db: fresh, setAsidePath: asidePath(path, nowMs) };
  }
}

function openWithPragmas(path: string): Database.Database {
  const db = new Database(path);
  // Set before the first table is made, so a new file can give back the room a drained backlog
  // leaves (BatchBuffer.reclaimSpace); on an existing file it takes effect only with a VACUUM.
  db.pragma('auto_vacuum = INCREMENTAL');
  // WAL lets --once read while the daemon writes; synchronous=FULL makes a committed batch
  // survive a power cut, which is the point of the buffer.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  // After a checkpoint the -wal file is cut back to this size instead of keeping its peak.
  db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  return db;
}

/**
 * Files made before the buffer used incremental vacuum never shrink after a backlog: rewrite
 * them once (VACUUM), which switches the mode. A failure (no room on disk for the copy) leaves
 * the file as it is, still a working buffer.
 */
function switchToIncrementalVacuum(db: Database.Database, path: string, log: Logger): void {
  if (db.pragma('auto_vacuum', { simple: true }) === INCREMENTAL) return;
  try {
    db.exec('VACUUM');
    log.info({ path }, 'buffer file rewritten once so that it shrinks after a backlog');
  } catch (err) {
    log.warn({ err, path }, 'cannot rewrite the buffer file; it keeps its peak size on disk');
  }
}

function findDamage(db: Database.Database): string | undefined {
  const check = db.pragma('quick_check', { simple: true }) as string;
  if (check !== 'ok') return `quick_check: ${check}`;
  if (!hasTables(db)) return undefined;
  return schemaProblem(db);
}

function freshAfterDamage(
  path: string,
  damage: string,
  log: Logger,
  nowMs: number,
): Database.Database {
  const aside = asidePath(path, nowMs);
  // The -wal file belongs to the damaged database: left in place, SQLite would replay it into
  // the fresh one.
  for (const suffix of ['', '-wal', '-shm']) {
    if (existsSync(path + suffix)) renameSync(path + suffix, aside + suffix);
  }
  log.error(
    { path, setAsidePath: aside, damage, help: SET_ASIDE_HELP },
    'buffer file is damaged; set it aside and started a fresh buffer',
  );
  const db = openWithPragmas(path);
  createSchema(db, nowMs);
  return db;
}

function asidePath(path: string, nowMs: number): string {
  const stamp = new Date(nowMs).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${path}.corrupt-${stamp}`;
}
