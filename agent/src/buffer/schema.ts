import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';

// Tables of the agent's buffer file. `meta` holds one row per key: incarnation (random id made
// with the file), next_seq, dropped_total and, when /etc/machine-id is missing, host_id.

const SCHEMA_VERSION = '1';

const DDL = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE batches (
  seq INTEGER PRIMARY KEY,
  created_ms INTEGER NOT NULL,
  payload BLOB NOT NULL,
  bytes INTEGER NOT NULL,
  samples INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE dead_letters (
  seq INTEGER PRIMARY KEY,
  reason TEXT NOT NULL,
  payload BLOB NOT NULL,
  moved_ms INTEGER NOT NULL
);
CREATE TABLE gaps (
  id INTEGER PRIMARY KEY,
  from_ms INTEGER NOT NULL,
  to_ms INTEGER NOT NULL,
  batches INTEGER NOT NULL,
  reason TEXT NOT NULL,
  carrier_seq INTEGER
);
`;

export function hasTables(db: Database): boolean {
  const row = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get();
  return (row as { n: number }).n > 0;
}

/** Creates the tables of a new buffer file and gives it its incarnation. */
export function createSchema(db: Database, nowMs: number): void {
  db.transaction(() => {
    db.exec(DDL);
    const put = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
    put.run('schema_version', SCHEMA_VERSION);
    put.run('incarnation', randomUUID());
    put.run('next_seq', '1');
    put.run('dropped_total', '0');
    put.run('created_ms', String(nowMs));
  })();
}

/** Why this file is not a usable buffer, or undefined when it is one. */
export function schemaProblem(db: Database): string | undefined {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all();
  const names = new Set((tables as { name: string }[]).map((t) => t.name));
  for (const needed of ['meta', 'batches', 'dead_letters', 'gaps']) {
    if (!names.has(needed)) return `table ${needed} is missing`;
  }
  const version = readMeta(db, 'schema_version');
  if (version !== SCHEMA_VERSION) {
    return `schema version ${JSON.stringify(version)} is not ${SCHEMA_VERSION}`;
  }
  if (!readMeta(db, 'incarnation')) return 'it has no incarnation';
  return undefined;
}

export function readMeta(db: Database, key: string): string | undefined {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(key);
  return (row as { value: string } | undefined)?.value;
}

export function writeMeta(db: Database, key: string, value: string): void {
  db.prepare(
    `INSERT INTO meta (key, value) VALUES (?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
  ).run(key, value);
}
