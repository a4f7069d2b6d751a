import type { Pool, PoolClient } from 'pg';
import { HostpulseError } from '@hostpulse/shared';
import type { AlertStore } from './alert-store.js';
import { alertOf, alertValues, attemptOf, attemptValues, outboxOf, outboxValues, transitionOf, transitionValues } from './rows.js';
import { statements } from './sql.js';

// AlertStore on the collector's PostgreSQL pool (the one the storage layer opened; this store
// never closes it). Tables come from migration 002-alerts in storage/postgres/migrations.

const sql = statements((i) => `$${i}`);

export function createPostgresAlertStore(pool: Pool): AlertStore {
  async function inTransaction(work: (client: PoolClient) => Promise<void>): Promise<void> {
    const client = await connect(pool);
    try {
      await client.query('BEGIN');
      await work(client);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined); // the connection is dropped below anyway
      client.release(true);
      throw new HostpulseError('storage_unavailable', `alert store: ${(err as Error).message}`, {}, { cause: err });
    }
    client.release();
  }

  async function rows(text: string, values: unknown[] = []): Promise<Record<string, unknown>[]> {
    try {
      return (await pool.query(text, values)).rows;
    } catch (err) {
      throw new HostpulseError('storage_unavailable', `alert store: ${(err as Error).message}`, {}, { cause: err });
    }
  }

  return {
    async load() {
      const open = (await rows(sql.openAlerts)).map(alertOf);
      const lastSeen = (await rows(sql.lastSeen)).map((r) => ({
        rule: String(r.rule),
        hostId: String(r.host_id),
        labelsKey: String(r.labels_key),
        lastSampleMs: Number(r.last_sample_ms),
      }));
      return { open, lastSeen };
    },
    saveChange: (change) =>
      inTransaction(async (client) => {
        await client.query(sql.upsertAlert, alertValues(change.alert));
        if (change.transition) await client.query(sql.insertTransition, transitionValues(change.transition));
        for (const row of change.outbox) await client.query(sql.insertOutbox, outboxValues(row));
      }),
    dueOutbox: async (nowMs, limit) => (await rows(sql.dueOutbox, [nowMs, limit])).map(outboxOf),
    async nextDueMs() {
      const [row] = await rows(sql.nextDue);
      return row?.due_ms === null || row?.due_ms === undefined ? undefined : Number(row.due_ms);
    },
    async claim(id, nowMs, leaseUntilMs) {
      try {
        return (await pool.query(sql.claim, [leaseUntilMs, id, nowMs])).rowCount === 1;
      } catch (err) {
        throw new HostpulseError('storage_unavailable', `alert store: ${(err as Error).message}`, {}, { cause: err });
      }
    },
    finishAttempt: (attempt, update) =>
      inTransaction(async (client) => {
        await client.query(sql.insertAttempt, attemptValues(attempt));
        await client.query(sql.updateOutbox, [update.state, update.dueMs, update.lastError, update.id]);
      }),
    async postpone(id, dueMs) {
      await rows(sql.postpone, [dueMs, id]);
    },
    async listAlerts(filter) {
      const found = filter?.state ? await rows(sql.listAlertsByState, [filter.state]) : await rows(sql.listAlerts);
      return found.map(alertOf);
    },
    async getAlert(id) {
      const [row] = await rows(sql.getAlert, [id]);
      return row ? alertOf(row) : undefined;
    },
    async history(alertId) {
      return {
        transitions: (await rows(sql.transitions, [alertId])).map(transitionOf),
        outbox: (await rows(sql.outboxOfAlert, [alertId])).map(outboxOf),
        attempts: (await rows(sql.attemptsOfAlert, [alertId])).map(attemptOf),
      };
    },
  };
}

async function connect(pool: Pool): Promise<PoolClient> {
  try {
    return await pool.connect();
  } catch (err) {
    throw new HostpulseError('storage_unavailable', `alert store: cannot connect (${(err as Error).message})`, {}, { cause: err });
  }
}
