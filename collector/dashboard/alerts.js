import { ApiError, getJson } from './api.js';
import { el } from './dom.js';
import * as format from './format.js';

// Open alerts: pending, firing, acknowledged and suppressed (docs/alerts.md, states), the most
// severe first. Resolved and inactive ones are history, read through the API. Each state is
// asked for on its own: the API answers the 1,000 most recently changed alerts, and after a
// storm of resolutions an alert firing for days would not be among them in a list of all.

const OPEN_STATES = ['pending', 'firing', 'acknowledged', 'suppressed'];
const SEVERITY_RANK = { critical: 4, high: 3, medium: 2, low: 1 };

/** The open alerts, or null when this collector runs no alerting (the routes are absent). */
export async function loadOpenAlerts() {
  try {
    const answers = await Promise.all(OPEN_STATES.map((state) => getJson('/api/v1/alerts', { state })));
    return answers
      .flatMap((answer) => answer.alerts)
      .sort(
        (a, b) =>
          (SEVERITY_RANK[b.severity] ?? 0) - (SEVERITY_RANK[a.severity] ?? 0) || since(b) - since(a),
      );
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

/** When the alert started to matter: when it fired, or when its condition began if pending. */
function since(alert) {
  return alert.firedMs ?? alert.startedMs;
}

export function alertsTable(alerts, nowMs, { showHost = true } = {}) {
  if (alerts === null) return el('p', { class: 'muted' }, 'Alerting is not running on this collector.');
  if (alerts.length === 0) return el('p', { class: 'muted', 'data-empty': 'alerts' }, 'No open alerts.');
  return el(
    'table',
    { class: 'alerts' },
    el(
      'thead',
      {},
      el('tr', {}, ['Severity', 'State', ...(showHost ? ['Host'] : []), 'Rule', 'Summary', 'Since', ''].map((h) => el('th', {}, h))),
    ),
    el(
      'tbody',
      {},
      alerts.map((alert) =>
        el(
          'tr',
          { 'data-alert': alert.id, class: `state-${alert.state}` },
          el('td', {}, el('span', { class: `severity ${alert.severity ?? 'none'}` }, alert.severity ?? 'pending')),
          el('td', {}, alert.state),
          showHost ? el('td', {}, el('a', { href: `#/host/${encodeURIComponent(alert.host.id)}` }, alert.host.name)) : null,
          el('td', {}, el('a', { href: `#/alert/${encodeURIComponent(alert.id)}` }, alert.rule)),
          el('td', { class: 'summary-text' }, alert.summary, alert.detail ? el('div', { class: 'muted' }, alert.detail) : null),
          el('td', { title: format.dateTime(since(alert)) }, format.ago(since(alert), nowMs)),
          el('td', { class: 'muted' }, handling(alert)),
        ),
      ),
    ),
  );
}

function handling(alert) {
  if (alert.acknowledgedBy) return `acknowledged by ${alert.acknowledgedBy}`;
  if (alert.silenceId) return 'silenced';
  return '';
}
