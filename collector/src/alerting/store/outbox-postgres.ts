import type { Pool } from 'pg';
import type { OutboxStore } from './outbox-store.js';
import { outboxStatements } from './outbox-sql.js';
import { attemptValues, outboxOf } from './rows.js';

// OutboxStore on the collector's PostgreSQL pool. The claim's inner SELECT locks the rows it
// picks and skips rows another transaction holds, so concurrent replicas split the due rows
// between them instead of waiting on each other or taking the same ones.

const sql = outboxStatements((i) => `$${i}`, 'FOR UPDATE SKIP LOCKED');

type Run = <T>(work: () => Promise<T>) => Promise<T>;

/** `guarded` turns driver errors into storage_unavailable, as the alert store does. */
export function createPostgresOutboxStore(pool: Pool, guarded: Run): OutboxStore {
  return {
    dueByNotifier: () =>
      guarded(async () =>
        (await pool.query(sql.dueByNotifier)).rows.map((r: Record<string, unknown>) => ({
          notifier: String(r.notifier),
          dueMs: Number(r.due_ms),
        })),
      ),
    claimDue: (notifier, nowMs, limit, claim) =>
      guarded(async () => {
        const values = [claim.by, claim.untilMs, notifier, nowMs, nowMs, limit];
        const { rows } = await pool.query(sql.claimDue, values);
        // RETURNING keeps no order: sort as the SELECT chose them.
        return rows.map(outboxOf).sort((a, b) => a.dueMs - b.dueMs || a.createdMs - b.createdMs);
      }),
    renewClaims: (ids, claim) =>
      guarded(async () => {
        for (const id of ids) await pool.query(sql.renewClaim, [claim.untilMs, id, claim.by]);
      }),
    finishAttempts: (finished) =>
      guarded(async () => {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          for (const { attempt, update } of finished) {
            await client.query(sql.insertAttempt, attemptValues(attempt));
            const { state, dueMs, lastError, id } = update;
            await client.query(sql.finishRow, [state, dueMs, lastError, id]);
          }
          await client.query('COMMIT');
          client.release();
        } catch (err) {
          // The connection may be broken: drop it; the server rolls back what it had.
          client.release(true);
          throw err;
        }
      }),
  };
}
