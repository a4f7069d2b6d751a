import type { AuditEntry, AuditFilter, AuditRecord } from '../storage.js';
import type { StatementCache } from './open-database.js';

// The audit log (migration 005-audit). Callers that change a token run this inside their own
// transaction, so the change and its audit row commit together.

export function recordAuditSqlite(
  statements: StatementCache,
  entry: AuditEntry,
  nowMs: number,
): void {
  statements
    .get(
      'INSERT INTO audit_log (time_ms, actor, action, target, detail, remote_address) ' +
        'VALUES (?, ?, ?, ?, ?, ?)',
    )
    .run(
      nowMs,
      entry.actor,
      entry.action,
      entry.target,
      JSON.stringify(entry.detail),
      entry.remoteAddress,
    );
}

export function listAuditSqlite(statements: StatementCache, filter: AuditFilter): AuditRecord[] {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    where.push(sql);
    params.push(value);
  };
  if (filter.sinceMs !== undefined) add('time_ms >= ?', filter.sinceMs);
  if (filter.action !== undefined) add('action = ?', filter.action);
  if (filter.actor !== undefined) add('actor = ?', filter.actor);
  const sql =
    'SELECT id, time_ms, actor, action, target, detail, remote_address FROM audit_log' +
    (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
    ' ORDER BY time_ms DESC, id DESC LIMIT ?';
  const rows = statements.get(sql).all(...params, filter.limit) as AuditRow[];
  return rows.map((row) => ({
    id: row.id,
    timeMs: row.time_ms,
    actor: row.actor,
    action: row.action,
    target: row.target,
    detail: JSON.parse(row.detail) as Record<string, unknown>,
    remoteAddress: row.remote_address,
  }));
}

interface AuditRow {
  id: number;
  time_ms: number;
  actor: string;
  action: string;
  target: string;
  detail: string;
  remote_address: string | null;
}
