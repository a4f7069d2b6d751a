import { getJson } from './api.js';
import { el } from './dom.js';
import * as format from './format.js';

// One alert with its history: what notifications link to (`public_url` + /alerts/ID in
// collector.yaml). Every transition, every notification queued and each delivery attempt,
// and the acknowledgements, as GET /api/v1/alerts/:id returns them.

export async function loadAlert(alertId) {
  const { alert } = await getJson(`/api/v1/alerts/${encodeURIComponent(alertId)}`);
  return alert;
}

export function alertView(alert, nowMs) {
  const { transitions, outbox, attempts, acknowledgements } = alert.history;
  const facts = [
    ['Host', el('a', { href: `#/host/${encodeURIComponent(alert.host.id)}` }, alert.host.name)],
    ['State', alert.state],
    ['Severity', alert.severity ?? '—'],
    ['Value', format.number(alert.value)],
    ['Labels', Object.entries(alert.labels).map(([k, v]) => `${k}=${v}`).join(', ') || '—'],
    ['Started', `${format.dateTime(alert.startedMs)} (${format.ago(alert.startedMs, nowMs)})`],
    ['Fired', format.dateTime(alert.firedMs)],
    ['Ended', format.dateTime(alert.endedMs)],
    ['Acknowledged', alert.acknowledgedBy ? `by ${alert.acknowledgedBy}, ${format.dateTime(alert.acknowledgedMs)}` : '—'],
    ['Silence', alert.silenceId ?? '—'],
  ];
  return el(
    'div',
    { class: 'alert-page', 'data-alert': alert.id },
    el('p', {}, el('a', { href: '#/' }, '← overview')),
    el('h1', {}, el('span', { class: `severity ${alert.severity ?? 'none'}` }, alert.severity ?? 'pending'), ' ', alert.rule, ' on ', alert.host.name),
    el('p', {}, alert.summary),
    alert.detail ? el('p', { class: 'warning' }, alert.detail) : null,
    el('dl', { class: 'facts' }, facts.map(([term, value]) => [el('dt', {}, term), el('dd', {}, value)])),
    el('h2', {}, 'Transitions'),
    table(['Recorded', 'From', 'To', 'Severity', 'Value', 'Note'], transitions, (t) => [
      format.dateTime(t.recordedMs), t.from ?? '—', t.to, t.severity ?? '—', format.number(t.value), t.note ?? '',
    ], 'transitions'),
    el('h2', {}, 'Notifications'),
    table(['Queued', 'Notifier', 'Kind', 'State', 'Attempts', 'Last error'], outbox, (n) => [
      format.dateTime(n.createdMs), n.notifier, n.kind, n.state, String(n.attempts), n.lastError ?? '',
    ], 'outbox'),
    el('h2', {}, 'Delivery attempts'),
    table(['Time', 'Outcome', 'Status', 'Error'], attempts, (a) => [
      format.dateTime(a.timeMs), a.outcome, a.status === null ? '—' : String(a.status), a.error ?? '',
    ], 'attempts'),
    acknowledgements.length > 0 ? [
      el('h2', {}, 'Acknowledgements'),
      table(['Time', 'By', 'Comment'], acknowledgements, (a) => [format.dateTime(a.timeMs), a.author, a.comment], 'acks'),
    ] : null,
  );
}

function table(head, rows, cells, name) {
  if (rows.length === 0) return el('p', { class: 'muted' }, 'None.');
  return el(
    'table',
    { class: name },
    el('thead', {}, el('tr', {}, head.map((h) => el('th', {}, h)))),
    el('tbody', {}, rows.map((row) => el('tr', {}, cells(row).map((cell) => el('td', {}, cell))))),
  );
}
