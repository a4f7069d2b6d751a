import type { Placeholder } from './sql.js';

// Outbox statements of both stores. A row's claim counts only while claimed_until lies ahead;
// after that the row is due again, whoever claimed it. `lock` is PostgreSQL's row lock for the
// claim's inner SELECT; SQLite has one writer at a time and needs none.

export function outboxStatements(p: Placeholder, lock: string) {
  const free = (now: string) => `(claimed_until IS NULL OR claimed_until <= ${now})`;
  const attemptColumns = 'outbox_id, time_ms, outcome, status, reply, error';
  return {
    dueByNotifier: `SELECT notifier, MIN(CASE WHEN claimed_until > due_ms THEN claimed_until
      ELSE due_ms END) AS due_ms FROM outbox WHERE state = 'pending' GROUP BY notifier`,
    claimDue: `UPDATE outbox SET claimed_by = ${p(1)}, claimed_until = ${p(2)}
      WHERE id IN (SELECT id FROM outbox WHERE state = 'pending' AND notifier = ${p(3)}
        AND due_ms <= ${p(4)} AND ${free(p(5))}
        ORDER BY due_ms, created_ms, id LIMIT ${p(6)} ${lock})
      RETURNING *`,
    renewClaim: `UPDATE outbox SET claimed_until = ${p(1)}
      WHERE id = ${p(2)} AND claimed_by = ${p(3)} AND state = 'pending'`,
    insertAttempt: `INSERT INTO notification_attempts (${attemptColumns})
      VALUES (${[1, 2, 3, 4, 5, 6].map(p).join(', ')})`,
    finishRow: `UPDATE outbox SET state = ${p(1)}, due_ms = ${p(2)}, last_error = ${p(3)},
      attempts = attempts + 1, claimed_by = NULL, claimed_until = NULL
      WHERE id = ${p(4)}`,
  };
}
