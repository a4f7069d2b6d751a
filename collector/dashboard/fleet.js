import { getJson } from './api.js';
import { el, percentBar } from './dom.js';
import * as format from './format.js';

// The host list: each host's state and its key figures now. The figures come from one query
// per metric for the whole fleet (the last sample of each series in the last five minutes), so
// a refresh costs the same few requests for 5 hosts as for 500.

const RECENT_MS = 300_000;
// The API refuses a step longer than to − from, so the range is sent whole, both ends from this
// browser's clock: with `to` left to the collector's clock, a browser a second ahead of it
// would ask for 5 minutes over 4:59.
const RECENT_STEP = '5m';
const STATE_ORDER = { down: 0, stopped: 1, up: 2 };

export async function loadHosts() {
  const { hosts } = await getJson('/api/v1/hosts');
  return hosts;
}

/** The query parameters of one metric's latest samples, the last five minutes to `nowMs`. */
export function recentQuery(metric, nowMs) {
  const to = Math.floor(nowMs);
  return { metric, from: to - RECENT_MS, to, step: RECENT_STEP, agg: 'last' };
}

/** { hostId: { cpu, memory, load, filesystem: { value, mount } } } from the latest samples. */
export async function loadFigures(nowMs) {
  const recent = (metric) => getJson('/api/v1/query', recentQuery(metric, nowMs));
  const [cpu, memory, load, filesystem] = await Promise.all(
    ['cpu_usage_percent', 'memory_used_percent', 'load_1m', 'filesystem_used_percent'].map(recent),
  );
  const figures = {};
  const of = (hostId) => (figures[hostId] ??= {});
  for (const [name, answer] of [['cpu', cpu], ['memory', memory], ['load', load]]) {
    for (const series of answer.series) {
      const last = series.points.at(-1);
      if (last) of(series.hostId)[name] = last[1];
    }
  }
  for (const series of filesystem.series) {
    const last = series.points.at(-1);
    const host = of(series.hostId);
    if (last && !(host.filesystem?.value >= last[1])) {
      host.filesystem = { value: last[1], mount: series.labels.mount ?? '?' };
    }
  }
  return figures;
}

export function hostsTable(hosts, figures, alerts, nowMs) {
  if (hosts.length === 0) {
    return el('p', { class: 'muted', 'data-empty': 'hosts' },
      'No host has sent data yet. Start an agent with this collector in its agent.yaml.');
  }
  const openByHost = new Map();
  for (const alert of alerts ?? []) openByHost.set(alert.host.id, (openByHost.get(alert.host.id) ?? 0) + 1);
  const sorted = [...hosts].sort((a, b) => STATE_ORDER[a.status] - STATE_ORDER[b.status] || a.name.localeCompare(b.name));
  const head = ['Host', 'State', 'Last seen', 'CPU', 'Memory', 'Fullest filesystem', 'Load 1m', 'Alerts'];
  return el(
    'table',
    { class: 'hosts' },
    el('thead', {}, el('tr', {}, head.map((h) => el('th', {}, h)))),
    el('tbody', {}, sorted.map((host) => hostRow(host, figures[host.id] ?? {}, openByHost.get(host.id) ?? 0, nowMs))),
  );
}

function hostRow(host, figures, openAlerts, nowMs) {
  const cpus = host.inventory?.cpuCount;
  return el(
    'tr',
    { 'data-host': host.id, class: `host-${host.status}` },
    el('td', {}, el('a', { href: `#/host/${encodeURIComponent(host.id)}` }, host.name)),
    el('td', {}, el('span', { class: `badge ${host.status}` }, host.status)),
    el('td', { title: format.dateTime(host.lastSeenMs) }, format.ago(host.lastSeenMs, nowMs)),
    percentCell(figures.cpu),
    percentCell(figures.memory),
    percentCell(figures.filesystem?.value, figures.filesystem?.mount),
    el('td', { class: 'num', title: cpus ? `${cpus} CPUs` : undefined }, format.number(figures.load), cpus ? el('span', { class: 'muted' }, ` / ${cpus}`) : null),
    el('td', { class: 'num' }, openAlerts > 0 ? el('span', { class: 'badge alerting' }, String(openAlerts)) : ''),
  );
}

function percentCell(value, note) {
  if (value === undefined) return el('td', { class: 'num muted' }, '—');
  return el(
    'td',
    { class: `num ${format.level(value)}` },
    percentBar(value, format.level(value)),
    ` ${format.percent(value)}`,
    note ? el('span', { class: 'muted' }, ` ${note}`) : null,
  );
}

/** "3 hosts: 2 up, 1 down" for the header. */
export function fleetSummary(hosts) {
  const counts = { up: 0, down: 0, stopped: 0 };
  for (const host of hosts) counts[host.status] += 1;
  const parts = Object.entries(counts).filter(([, n]) => n > 0).map(([state, n]) => `${n} ${state}`);
  return `${hosts.length} host${hosts.length === 1 ? '' : 's'}${parts.length ? `: ${parts.join(', ')}` : ''}`;
}
