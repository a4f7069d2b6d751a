import type { Pool } from 'pg';
import type { OutboxStore } from './outbox-store.js';
import { byDueThenMade } from '../ordered-id.js';
import { outboxStatements } from './outbox-sql.js';
import { attemptValues, outboxOf } from './rows.js';

// OutboxStore on the collector's PostgreSQL pool. The claim's inner SELECT locks the rows it
// picks and skips rows another transaction holds, so concurrent replicas split the due rows
// between them instead of waiting on each other or taking the same ones.

const sql = outboxStatements((i) => `$${i}`, 'FOR UPDATE SKIP LOCKED');

// A finished group is written in two statements however many rows it has: one round trip per
// row would make a storm's 1,000-row message cost seconds to record.
const insertAttempts = `INSERT INTO notification_attempts
  (outbox_id, time_ms, outcome, status, reply, error)
  SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::int[], $5::text[], $6::text[])`;
const finishRows = `UPDATE outbox o SET state = u.state, due_ms = u.due_ms,
  last_error = u.last_error, attempts = o.attempts + 1, claimed_by = NULL, claimed_until = NULL
  FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[]) AS u(id, state, due_ms, last_error)
  WHERE o.id = u.id`;
const renewClaims = `UPDATE outbox SET claimed_until = $1
  WHERE id = ANY($2::text[]) AND claimed_by = $3 AND state = 'pending'`;

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
        return rows.map(outboxOf).sort(byDueThenMade);
      }),
    renewClaims: (ids, claim) =>
      guarded(async () => {
        await pool.query(renewClaims, [claim.untilMs, ids, claim.by]);
      }),
    finishAttempts: (finished) =>
      guarded(async () => {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          const attempts = finished.map((f) => attemptValues(f.attempt));
          await client.query(insertAttempts, columns(attempts));
          const updates = finished.map(({ update: u }) => [u.id, u.state, u.dueMs, u.lastError]);
          await client.query(finishRows, columns(updates));
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

/** Rows of values to one array per column, for unnest(). */
function columns(rows: readonly unknown[][]): unknown[][] {
  const width = rows[0]?.length ?? 0;
  return Array.from({ length: width }, (_, c) => rows.map((row) => row[c]));
}
