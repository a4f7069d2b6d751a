import type { Database, Statement } from 'better-sqlite3';
import type { FinishedAttempt, OutboxStore } from './outbox-store.js';
import { byDueThenMade } from '../ordered-id.js';
import { outboxStatements } from './outbox-sql.js';
import { attemptValues, outboxOf } from './rows.js';

// OutboxStore on the embedded SQLite database. Each statement runs to its end before the event
// loop moves on, and the claim is one UPDATE, so no two workers can take the same row.

const sql = outboxStatements(() => '?', '');

type Row = Record<string, unknown>;

export function createSqliteOutboxStore(db: Database): OutboxStore {
  // Prepared on first use: the tables exist only once migrate() has run.
  const prepared = new Map<string, Statement<unknown[]>>();
  const stmt = (name: keyof typeof sql): Statement<unknown[]> => {
    let statement = prepared.get(name);
    if (!statement) prepared.set(name, (statement = db.prepare(sql[name])));
    return statement;
  };
  const finish = db.transaction((finished: readonly FinishedAttempt[]) => {
    for (const { attempt, update } of finished) {
      stmt('insertAttempt').run(...attemptValues(attempt));
      stmt('finishRow').run(update.state, update.dueMs, update.lastError, update.id);
    }
  });
  const renew = db.transaction((ids: readonly string[], by: string, untilMs: number) => {
    for (const id of ids) stmt('renewClaim').run(untilMs, id, by);
  });

  return {
    dueByNotifier: async () =>
      (stmt('dueByNotifier').all() as Row[]).map((r) => ({
        notifier: String(r.notifier),
        dueMs: Number(r.due_ms),
      })),
    async claimDue(notifier, nowMs, limit, claim) {
      const values = [claim.by, claim.untilMs, notifier, nowMs, nowMs, limit];
      const rows = (stmt('claimDue').all(...values) as Row[]).map(outboxOf);
      return rows.sort(byDueThenMade);
    },
    renewClaims: async (ids, claim) => {
      renew(ids, claim.by, claim.untilMs);
    },
    finishAttempts: async (finished) => {
      finish(finished);
    },
  };
}
