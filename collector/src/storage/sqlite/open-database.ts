import Database from 'better-sqlite3';
import { HostpulseError } from '@hostpulse/shared';

// The embedded store for small installs: one file, one collector process writing it.
// - WAL lets the API read while a batch is being written.
// - synchronous=FULL: the agent deletes a batch once we acknowledge it, so an acknowledged batch
//   must survive a power cut, not only a crash of this process (which NORMAL would already
//   cover). At the 1-50 hosts this store is for, one fsync per batch is cheap.
// - busy_timeout: a second process on the same file (the `token` command beside a running
//   collector) waits for the writer instead of failing at once.

export function openDatabase(path: string): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(path);
  } catch (err) {
    throw new HostpulseError('storage_unavailable', `cannot open the embedded database ${path}`, {}, { cause: err });
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  return db;
}

/** Prepares each SQL text once per database: tables exist only after migrate(), so lazily. */
export class StatementCache {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(readonly db: Database.Database) {}

  get(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) this.statements.set(sql, (statement = this.db.prepare(sql)));
    return statement;
  }
}
