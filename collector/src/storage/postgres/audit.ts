import type pg from 'pg';
import type { AuditEntry, AuditFilter, AuditRecord } from '../storage.js';

// The audit log (migration 005-audit). Writers pass a pool or the client of an open
// transaction, so a token change and its audit row commit together.

type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

export async function recordAuditPostgres(
  db: Queryable,
  entry: AuditEntry,
  nowMs: number,
): Promise<void> {
  await db.query(
    'INSERT INTO audit_log (time_ms, actor, action, target, detail, remote_address) ' +
      'VALUES ($1, $2, $3, $4, $5, $6)',
    [
      nowMs,
      entry.actor,
      entry.action,
      entry.target,
      JSON.stringify(entry.detail),
      entry.remoteAddress,
    ],
  );
}

export async function listAuditPostgres(
  pool: pg.Pool,
  filter: AuditFilter,
): Promise<AuditRecord[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (filter.sinceMs !== undefined) add('time_ms >= ?', filter.sinceMs);
  if (filter.action !== undefined) add('action = ?', filter.action);
  if (filter.actor !== undefined) add('actor = ?', filter.actor);
  params.push(filter.limit);
  const sql =
    'SELECT id, time_ms, actor, action, target, detail, remote_address FROM audit_log' +
    (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
    ` ORDER BY time_ms DESC, id DESC LIMIT $${params.length}`;
  const result = await pool.query<AuditRow>(sql, params);
  return result.rows.map((row) => ({
    id: row.id,
    timeMs: row.time_ms,
    actor: row.actor,
    action: row.action,
    target: row.target,
    detail: row.detail,
    remoteAddress: row.remote_address,
  }));
}

interface AuditRow {
  id: number;
  time_ms: number;
  actor: string;
  action: string;
  target: string;
  detail: Record<string, unknown>;
  remote_address: string | null;
}
