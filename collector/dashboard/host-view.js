import { getJson } from './api.js';
import { alertsTable } from './alerts.js';
import { lineChart } from './chart.js';
import { el } from './dom.js';
import * as format from './format.js';
import { legendNames } from './legend.js';

// One host: what it is, its open alerts, its checks and backups (when its agent watches any),
// and charts over a chosen window. Each chart is one query per metric with a step sized to
// give a few hundred points, so a week costs what an hour does (and is read from rollups).

export const RANGES = {
  '1h': { ms: 3_600_000, step: '30s', stepMs: 30_000 },
  '6h': { ms: 21_600_000, step: '2m', stepMs: 120_000 },
  '24h': { ms: 86_400_000, step: '5m', stepMs: 300_000 },
  '7d': { ms: 604_800_000, step: '30m', stepMs: 1_800_000 },
};
export const DEFAULT_RANGE = '1h';

const CHARTS = [
  { title: 'CPU', unit: 'percent', max: 100, metrics: [
    ['cpu_usage_percent', () => 'used'],
    ['cpu_iowait_percent', () => 'iowait'],
    ['cpu_steal_percent', () => 'steal'],
  ] },
  { title: 'Memory', unit: 'percent', max: 100, metrics: [
    ['memory_used_percent', () => 'memory'],
    ['swap_used_percent', () => 'swap'],
  ] },
  { title: 'Load', unit: 'number', metrics: [
    ['load_1m', () => '1 min'],
    ['load_5m', () => '5 min'],
    ['load_15m', () => '15 min'],
  ] },
  { title: 'Filesystem use', unit: 'percent', max: 100, metrics: [
    ['filesystem_used_percent', (labels) => labels.mount ?? '?'],
  ] },
  { title: 'Network', unit: 'bytesPerSecond', metrics: [
    ['network_receive_bytes_per_second', (labels) => `${labels.interface ?? '?'} in`],
    ['network_transmit_bytes_per_second', (labels) => `${labels.interface ?? '?'} out`],
  ] },
  { title: 'Disk I/O', unit: 'bytesPerSecond', metrics: [
    ['disk_read_bytes_per_second', (labels) => `${labels.device ?? '?'} read`],
    ['disk_write_bytes_per_second', (labels) => `${labels.device ?? '?'} write`],
  ] },
];

/** Everything the host page shows, fetched in parallel. `host` comes from the host list. */
export async function loadHostView(host, rangeName, nowMs) {
  const range = RANGES[rangeName];
  const span = { fromMs: Math.floor(nowMs - range.ms), toMs: Math.floor(nowMs) };
  const ask = (metric) =>
    getJson('/api/v1/query', { metric, host: host.id, from: span.fromMs, to: span.toMs, step: range.step, agg: 'avg' });
  const hostPath = `/api/v1/hosts/${encodeURIComponent(host.id)}`;
  const [latest, gaps, charts] = await Promise.all([
    getJson(`${hostPath}/latest`),
    getJson(`${hostPath}/gaps`),
    Promise.all(
      CHARTS.map(async (chart) => {
        const answers = await Promise.all(chart.metrics.map(([metric]) => ask(metric)));
        const found = answers.flatMap((answer, i) =>
          answer.series.map((one) => ({ ...one, metric: i, name: chart.metrics[i][1](one.labels) })),
        );
        const names = legendNames(found);
        // The metrics in the order written above (used before iowait), each one's series by name.
        const series = found
          .map((one, i) => ({ metric: one.metric, name: names[i], points: one.points }))
          .sort((a, b) => a.metric - b.metric || a.name.localeCompare(b.name, undefined, { numeric: true }));
        return { ...chart, series };
      }),
    ),
  ]);
  return { host, rangeName, range, span, latest: latest.series, gaps, charts };
}

export function hostView(model, alerts, nowMs, width) {
  const { host } = model;
  const hostAlerts = alerts === null ? null : alerts.filter((alert) => alert.host.id === host.id);
  const checks = checkRows(model.latest);
  const backups = backupRows(model.latest);
  const columns = width >= 1100 ? 2 : 1;
  const chartWidth = Math.floor((width - (columns - 1) * 16) / columns);
  return el(
    'div',
    { class: 'host-page', 'data-host': host.id },
    el('p', {}, el('a', { href: '#/' }, '← all hosts')),
    el('h1', {}, host.name, ' ', el('span', { class: `badge ${host.status}` }, host.status)),
    facts(host, nowMs),
    gapNote(model.gaps),
    el('h2', {}, 'Open alerts'),
    alertsTable(hostAlerts, nowMs, { showHost: false }),
    checks.length > 0 ? [el('h2', {}, 'Checks'), checksTable(checks, nowMs)] : null,
    backups.length > 0 ? [el('h2', {}, 'Backups'), backupsTable(backups, nowMs)] : null,
    el('h2', {}, 'Charts ', rangePicker(host, model.rangeName)),
    el(
      'div',
      { class: `charts columns-${columns}` },
      model.charts.map((chart) =>
        lineChart({ ...chart, ...model.span, stepMs: model.range.stepMs, width: chartWidth }),
      ),
    ),
  );
}

function facts(host, nowMs) {
  const inv = host.inventory;
  const rows = [
    ['Host id', host.id],
    ['Last seen', `${format.ago(host.lastSeenMs, nowMs)} (${format.dateTime(host.lastSeenMs)})`],
    ['Labels', Object.entries(host.labels).map(([k, v]) => `${k}=${v}`).join(', ') || '—'],
    ['Agent', `${host.agentVersion}, every ${format.duration(host.intervalMs / 1000)}, clock skew ${host.clockSkewMs} ms`],
  ];
  if (inv) {
    rows.push(
      ['System', [inv.os, inv.kernel && `kernel ${inv.kernel}`, inv.virtualization].filter(Boolean).join(', ') || '—'],
      ['CPU', inv.cpuCount ? `${inv.cpuCount} × ${inv.cpuModel ?? 'CPU'}` : (inv.cpuModel ?? '—')],
      ['Memory', format.bytes(inv.memoryBytes)],
      ['Up since', inv.bootTimeMs ? `${format.dateTime(inv.bootTimeMs)} (${format.duration((nowMs - inv.bootTimeMs) / 1000)})` : '—'],
    );
  }
  return el('dl', { class: 'facts' }, rows.map(([term, value]) => [el('dt', {}, term), el('dd', {}, value)]));
}

function gapNote(gaps) {
  if (!gaps || gaps.droppedBatches === 0) return null;
  const last = gaps.gaps.at(-1);
  return el(
    'p',
    { class: 'warning' },
    `The agent dropped ${gaps.droppedBatches} batches (data lost on the host); the latest run from `,
    `${format.dateTime(last.fromMs)} to ${format.dateTime(last.toMs)}, ${last.reason.replace('_', ' ')}.`,
  );
}

function rangePicker(host, current) {
  return el(
    'span',
    { class: 'ranges' },
    Object.keys(RANGES).map((name) =>
      el(
        'a',
        { href: `#/host/${encodeURIComponent(host.id)}?range=${name}`, class: name === current ? 'range active' : 'range' },
        name,
      ),
    ),
  );
}

/** check_up and check_latency_seconds by check name (docs/metrics.md, service checks). */
function checkRows(latest) {
  const checks = new Map();
  for (const series of latest) {
    if (series.metric !== 'check_up' && series.metric !== 'check_latency_seconds') continue;
    const name = series.labels.check ?? '?';
    const row = checks.get(name) ?? { name, type: series.labels.type ?? '' };
    if (series.metric === 'check_up') Object.assign(row, { up: series.value, timeMs: series.timeMs });
    else Object.assign(row, { latency: series.value, latencyMs: series.timeMs });
    checks.set(name, row);
  }
  return [...checks.values()].sort((a, b) => (a.up ?? 1) - (b.up ?? 1) || a.name.localeCompare(b.name));
}

function checksTable(rows, nowMs) {
  return el(
    'table',
    { class: 'checks' },
    el('thead', {}, el('tr', {}, ['Check', 'Type', 'State', 'Latency', 'Checked'].map((h) => el('th', {}, h)))),
    el(
      'tbody',
      {},
      rows.map((row) => {
        const up = row.up === 1;
        // Latency is sent only while up: an older figure beside a down check would mislead.
        const latency = up && row.latencyMs === row.timeMs ? `${format.number(row.latency * 1000, 1)} ms` : '—';
        return el(
          'tr',
          { 'data-check': row.name },
          el('td', {}, row.name),
          el('td', {}, row.type),
          el('td', {}, el('span', { class: `badge ${up ? 'up' : 'down'}` }, up ? 'up' : 'down')),
          el('td', { class: 'num' }, latency),
          el('td', {}, format.ago(row.timeMs, nowMs)),
        );
      }),
    ),
  );
}

const BACKUP_FIELDS = {
  backup_files: 'files',
  backup_age_seconds: 'age',
  backup_size_bytes: 'size',
  backup_size_change_percent: 'change',
  backup_verified: 'verified',
};

/** The backup_* series by backup name (docs/metrics.md, backups). */
function backupRows(latest) {
  const backups = new Map();
  for (const series of latest) {
    const field = BACKUP_FIELDS[series.metric];
    if (!field) continue;
    const name = series.labels.backup ?? '?';
    const row = backups.get(name) ?? { name, timeMs: 0 };
    row[field] = series.value;
    row.timeMs = Math.max(row.timeMs, series.timeMs);
    backups.set(name, row);
  }
  return [...backups.values()].sort((a, b) => a.name.localeCompare(b.name));
}

function backupsTable(rows, nowMs) {
  const verified = (v) => (v === undefined ? 'not verified' : v === 1 ? 'passed' : 'FAILED');
  return el(
    'table',
    { class: 'backups' },
    el('thead', {}, el('tr', {}, ['Backup', 'Files', 'Latest age', 'Size', 'Size change', 'Verification', 'Seen'].map((h) => el('th', {}, h)))),
    el(
      'tbody',
      {},
      rows.map((row) =>
        el(
          'tr',
          { 'data-backup': row.name, class: row.files === 0 || row.verified === 0 ? 'bad' : undefined },
          el('td', {}, row.name),
          el('td', { class: 'num' }, format.number(row.files, 0)),
          el('td', { class: 'num' }, format.duration(row.age)),
          el('td', { class: 'num' }, format.bytes(row.size)),
          el('td', { class: 'num' }, row.change === undefined ? '—' : `${row.change > 0 ? '+' : ''}${format.percent(row.change)}`),
          el('td', {}, verified(row.verified)),
          el('td', {}, format.ago(row.timeMs, nowMs)),
        ),
      ),
    ),
  );
}
