import type { Database, Statement } from 'better-sqlite3';
import type { AlertChange } from '../alert-record.js';
import type { AlertStore } from './alert-store.js';
import { createSqliteOutboxStore } from './outbox-sqlite.js';
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

// AlertStore on the embedded SQLite database (the handle the storage layer opened; this store
// never closes it). better-sqlite3 is synchronous, so each call runs to the end before the
// event loop moves on; transactions are db.transaction() functions.

const sql = statements(() => '?');
type Row = Record<string, unknown>;

export function createSqliteAlertStore(db: Database): AlertStore {
  // Prepared on first use: the tables exist only once migrate() has run, which may come after
  // this store is made (the server builds alerting, then migrates).
  const cache = new Map<keyof typeof sql, Statement<unknown[]>>();
  const stmt = (name: keyof typeof sql): Statement<unknown[]> => {
    let statement = cache.get(name);
    if (!statement) cache.set(name, (statement = db.prepare(sql[name])));
    return statement;
  };
  const saveChange = db.transaction((change: AlertChange) => {
    stmt('upsertAlert').run(...alertValues(change.alert));
    if (change.transition) stmt('insertTransition').run(...transitionValues(change.transition));
    for (const row of change.outbox) stmt('insertOutbox').run(...outboxValues(row));
    if (change.ack) stmt('insertAck').run(...ackValues(change.ack));
  });
  const all = (name: keyof typeof sql, ...values: unknown[]): Row[] =>
    stmt(name).all(...values) as Row[];

  return {
    async load() {
      const lastSeen = all('lastSeen').map((r) => ({
        rule: String(r.rule),
        hostId: String(r.host_id),
        labelsKey: String(r.labels_key),
        lastSampleMs: Number(r.last_sample_ms),
      }));
      return { open: all('openAlerts').map(alertOf), lastSeen };
    },
    saveChange: async (change) => {
      saveChange(change);
    },
    ...createSqliteOutboxStore(db),
    listAlerts: async (filter) => {
      const found = filter?.state ? all('listAlertsByState', filter.state) : all('listAlerts');
      return found.map(alertOf);
    },
    async getAlert(id) {
      const row = all('getAlert', id)[0];
      return row ? alertOf(row) : undefined;
    },
    history: async (alertId) => ({
      transitions: all('transitions', alertId).map(transitionOf),
      outbox: all('outboxOfAlert', alertId).map(outboxOf),
      attempts: all('attemptsOfAlert', alertId).map(attemptOf),
      acknowledgements: all('acksOfAlert', alertId).map(ackOf),
    }),
    insertSilence: async (silence) => {
      stmt('insertSilence').run(...silenceValues(silence));
    },
    async getSilence(id) {
      const row = all('getSilence', id)[0];
      return row ? silenceOf(row) : undefined;
    },
    activeSilences: async (nowMs) => all('activeSilences', nowMs).map(silenceOf),
    listSilences: async () => all('listSilences').map(silenceOf),
    expireSilence: async (id, nowMs, by) => stmt('expireSilence').run(nowMs, by, id).changes === 1,
  };
}
