import type { Pool, PoolClient } from 'pg';
import { HostpulseError } from '@hostpulse/shared';
import type { AlertStore } from './alert-store.js';
import { createPostgresOutboxStore } from './outbox-postgres.js';
import {
  ackOf,
  ackValues,
  alertOf,
  alertValues,
  attemptOf,
  outboxOf,
  outboxValues,
  silenceOf,
  silenceValues,
  transitionOf,
  transitionValues,
} from './rows.js';
import { statements } from './sql.js';

// AlertStore on the collector's PostgreSQL pool (the one the storage layer opened; this store
// never closes it). Tables come from migrations 002 and 003 in storage/postgres/migrations.

const sql = statements((i) => `$${i}`);
type Row = Record<string, unknown>;

export function createPostgresAlertStore(pool: Pool): AlertStore {
  async function inTransaction(work: (client: PoolClient) => Promise<void>): Promise<void> {
    const client = await guarded(() => pool.connect());
    try {
      await client.query('BEGIN');
      await work(client);
      await client.query('COMMIT');
      client.release();
    } catch (err) {
      // The connection may be broken: drop it rather than return it to the pool. The server
      // rolls back the open transaction when the connection closes.
      client.release(true);
      throw unavailable(err);
    }
  }

  const rows = (text: string, values: unknown[] = []): Promise<Row[]> =>
    guarded(async () => (await pool.query(text, values)).rows as Row[]);

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
    saveChange: ({ alert, transition, outbox, ack }) =>
      inTransaction(async (client) => {
        await client.query(sql.upsertAlert, alertValues(alert));
        if (transition) await client.query(sql.insertTransition, transitionValues(transition));
        for (const row of outbox) await client.query(sql.insertOutbox, outboxValues(row));
        if (ack) await client.query(sql.insertAck, ackValues(ack));
      }),
    ...createPostgresOutboxStore(pool, guarded),
    async listAlerts(filter) {
      const found = filter?.state
        ? await rows(sql.listAlertsByState, [filter.state])
        : await rows(sql.listAlerts);
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
        acknowledgements: (await rows(sql.acksOfAlert, [alertId])).map(ackOf),
      };
    },
    async insertSilence(silence) {
      await rows(sql.insertSilence, silenceValues(silence));
    },
    async getSilence(id) {
      const [row] = await rows(sql.getSilence, [id]);
      return row ? silenceOf(row) : undefined;
    },
    activeSilences: async (nowMs) => (await rows(sql.activeSilences, [nowMs])).map(silenceOf),
    listSilences: async () => (await rows(sql.listSilences)).map(silenceOf),
    expireSilence: (id, nowMs, by) =>
      guarded(async () => (await pool.query(sql.expireSilence, [nowMs, by, id])).rowCount === 1),
  };
}

async function guarded<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (err) {
    throw unavailable(err);
  }
}

function unavailable(err: unknown): HostpulseError {
  if (err instanceof HostpulseError) return err;
  const message = `alert store: ${(err as Error).message}`;
  return new HostpulseError('storage_unavailable', message, {}, { cause: err });
}
