import type pg from 'pg';
import { tokenTaken } from '../token-taken.js';
import type { AuditEntry, NewToken, Role, TokenKind, TokenRecord } from '../storage.js';
import { recordAuditPostgres } from './audit.js';
import { inTransaction } from './transaction.js';

// Only a token's hash is stored. A name is unique among live tokens (a partial unique index),
// so a revoked name can be given again.

const COLUMNS = 'name, kind, role, created_ms, revoked_ms';

export async function createTokenPostgres(
  pool: pg.Pool,
  token: NewToken,
  audit: AuditEntry | undefined,
  nowMs: number,
): Promise<void> {
  try {
    await inTransaction(pool, async (client) => {
      await client.query(
        'INSERT INTO tokens (name, kind, role, hash, created_ms) VALUES ($1, $2, $3, $4, $5)',
        [token.name, token.kind, token.role, token.hash, nowMs],
      );
      if (audit) await recordAuditPostgres(client, audit, nowMs);
    });
  } catch (err) {
    // Only the live-name index: a clash of hashes would be a broken random source, not a user error.
    if ((err as { constraint?: unknown }).constraint === 'tokens_live_name') throw tokenTaken(token.name, err);
    throw err;
  }
}

export async function findTokenPostgres(pool: pg.Pool, hash: string): Promise<TokenRecord | undefined> {
  const result = await pool.query<TokenRow>(
    `SELECT ${COLUMNS} FROM tokens WHERE hash = $1 AND revoked_ms IS NULL`,
    [hash],
  );
  const row = result.rows[0];
  return row ? toTokenRecord(row) : undefined;
}

export async function listTokensPostgres(pool: pg.Pool): Promise<TokenRecord[]> {
  const result = await pool.query<TokenRow>(`SELECT ${COLUMNS} FROM tokens ORDER BY name COLLATE "C", id`);
  return result.rows.map(toTokenRecord);
}

export function revokeTokenPostgres(
  pool: pg.Pool,
  name: string,
  audit: AuditEntry | undefined,
  nowMs: number,
): Promise<boolean> {
  return inTransaction(pool, async (client) => {
    const result = await client.query(
      'UPDATE tokens SET revoked_ms = $2 WHERE name = $1 AND revoked_ms IS NULL',
      [name, nowMs],
    );
    const revoked = (result.rowCount ?? 0) > 0;
    if (revoked && audit) await recordAuditPostgres(client, audit, nowMs);
    return revoked;
  });
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
