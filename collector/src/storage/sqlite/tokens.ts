import type { AuditEntry, NewToken, Role, TokenKind, TokenRecord } from '../storage.js';
import { tokenTaken } from '../token-taken.js';
import { recordAuditSqlite } from './audit.js';
import type { StatementCache } from './open-database.js';

// Only a token's hash is stored. A name is unique among live tokens (a partial unique index),
// so a revoked name can be given again.

const COLUMNS = 'name, kind, role, created_ms, revoked_ms';

export function createTokenSqlite(
  statements: StatementCache,
  token: NewToken,
  audit: AuditEntry | undefined,
  nowMs: number,
): void {
  // Checked first, in the same write transaction, because SQLite's constraint error does not
  // say which index refused the row.
  const create = statements.db.transaction(() => {
    const live = statements.get('SELECT 1 FROM tokens WHERE name = ? AND revoked_ms IS NULL').get(token.name);
    if (live) throw tokenTaken(token.name, undefined);
    statements
      .get('INSERT INTO tokens (name, kind, role, hash, created_ms) VALUES (?, ?, ?, ?, ?)')
      .run(token.name, token.kind, token.role, token.hash, nowMs);
    if (audit) recordAuditSqlite(statements, audit, nowMs);
  });
  create.immediate();
}

export function findTokenSqlite(statements: StatementCache, hash: string): TokenRecord | undefined {
  const row = statements.get(`SELECT ${COLUMNS} FROM tokens WHERE hash = ? AND revoked_ms IS NULL`).get(hash) as
    | TokenRow
    | undefined;
  return row ? toTokenRecord(row) : undefined;
}

export function listTokensSqlite(statements: StatementCache): TokenRecord[] {
  const rows = statements.get(`SELECT ${COLUMNS} FROM tokens ORDER BY name, id`).all() as TokenRow[];
  return rows.map(toTokenRecord);
}

export function revokeTokenSqlite(
  statements: StatementCache,
  name: string,
  audit: AuditEntry | undefined,
  nowMs: number,
): boolean {
  const revoke = statements.db.transaction(() => {
    const result = statements
      .get('UPDATE tokens SET revoked_ms = ? WHERE name = ? AND revoked_ms IS NULL')
      .run(nowMs, name);
    const revoked = result.changes > 0;
    if (revoked && audit) recordAuditSqlite(statements, audit, nowMs);
    return revoked;
  });
  return revoke.immediate();
}

interface TokenRow {
  name: string;
  kind: TokenKind;
  role: Role | null;
  created_ms: number;
  revoked_ms: number | null;
}

function toTokenRecord(row: TokenRow): TokenRecord {
  return { name: row.name, kind: row.kind, role: row.role, createdMs: row.created_ms, revokedMs: row.revoked_ms };
}
