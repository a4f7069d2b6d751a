import { ALERT_COLUMNS, OUTBOX_COLUMNS, SILENCE_COLUMNS } from './rows.js';

// The statements both stores run, written once with a placeholder function: PostgreSQL numbers
// its parameters ($1), SQLite takes `?`. Only syntax both understand is used here.

export type Placeholder = (index: number) => string;

function list(count: number, p: Placeholder): string {
  return Array.from({ length: count }, (_, i) => p(i + 1)).join(', ');
}

export function statements(p: Placeholder) {
  const alertUpdates = ALERT_COLUMNS.filter((c) => c !== 'id')
    .map((c) => `${c} = excluded.${c}`)
    .join(', ');
  const transitionColumns =
    'alert_id, from_state, to_state, severity, value, sample_ms, recorded_ms, note';
  const attemptColumns = 'outbox_id, time_ms, outcome, status, reply, error';
  return {
    upsertAlert: `INSERT INTO alerts (${ALERT_COLUMNS.join(', ')})
      VALUES (${list(ALERT_COLUMNS.length, p)})
      ON CONFLICT (id) DO UPDATE SET ${alertUpdates}`,
    insertTransition: `INSERT INTO alert_transitions (${transitionColumns}) VALUES (${list(8, p)})`,
    insertOutbox: `INSERT INTO outbox (${OUTBOX_COLUMNS.join(', ')})
      VALUES (${list(OUTBOX_COLUMNS.length, p)})`,
    openAlerts: `SELECT * FROM alerts WHERE state IN ('pending', 'firing')`,
    lastSeen: `SELECT rule, host_id, labels_key, MAX(last_sample_ms) AS last_sample_ms FROM alerts
      WHERE state IN ('resolved', 'inactive') GROUP BY rule, host_id, labels_key`,
    listAlerts: `SELECT * FROM alerts ORDER BY updated_ms DESC LIMIT 1000`,
    listAlertsByState: `SELECT * FROM alerts WHERE state = ${p(1)}
      ORDER BY updated_ms DESC LIMIT 1000`,
    getAlert: `SELECT * FROM alerts WHERE id = ${p(1)}`,
    transitions: `SELECT * FROM alert_transitions WHERE alert_id = ${p(1)} ORDER BY id`,
    outboxOfAlert: `SELECT * FROM outbox WHERE alert_id = ${p(1)} ORDER BY created_ms, id`,
    attemptsOfAlert: `SELECT a.* FROM notification_attempts a JOIN outbox o ON o.id = a.outbox_id
      WHERE o.alert_id = ${p(1)} ORDER BY a.id`,
    insertAck: `INSERT INTO alert_acks (alert_id, time_ms, author, comment)
      VALUES (${list(4, p)})`,
    acksOfAlert: `SELECT * FROM alert_acks WHERE alert_id = ${p(1)} ORDER BY id`,
    insertSilence: `INSERT INTO silences (${SILENCE_COLUMNS.join(', ')})
      VALUES (${list(SILENCE_COLUMNS.length, p)})`,
    getSilence: `SELECT * FROM silences WHERE id = ${p(1)}`,
    activeSilences: `SELECT * FROM silences WHERE expired_ms IS NULL AND ends_ms > ${p(1)}
      ORDER BY starts_ms, id`,
    listSilences: `SELECT * FROM silences ORDER BY created_ms DESC, id LIMIT 1000`,
    expireSilence: `UPDATE silences SET expired_ms = ${p(1)}, expired_by = ${p(2)}
      WHERE id = ${p(3)} AND expired_ms IS NULL`,
  };
}
