import { formatDuration, printJson, printLine, printTable } from '@hostpulse/shared';
import type { BufferState } from './buffer/read-state.js';
import type { CycleProblem } from './cycle.js';
import type { HostIdentity } from './host-identity.js';
import type { CheckIdentity, SeriesValue } from './samplers/sampler.js';
import type { PingReport } from './shipper/ping.js';

// How --once shows what it found: a table for people, or --json for scripts.

export interface OnceReport {
  readonly ok: boolean;
  readonly host: HostIdentity;
  readonly samplers: readonly string[];
  readonly checks: readonly CheckIdentity[];
  readonly values: readonly SeriesValue[];
  readonly problems: readonly CycleProblem[];
  readonly buffer: BufferState | undefined;
  readonly collector: PingReport;
}

/** The unit a metric name carries (SPEC §3.3 naming). */
export function unitOf(metric: string): string {
  if (metric.endsWith('_bytes_per_second')) return 'bytes/s';
  if (metric.endsWith('_per_second')) return '1/s';
  if (metric.endsWith('_percent')) return '%';
  if (metric.endsWith('_bytes')) return 'bytes';
  if (metric.endsWith('_seconds')) return 's';
  if (metric.endsWith('_total')) return 'count';
  if (metric.endsWith('_days_left')) return 'days';
  return '';
}

export function printOnceReport(report: OnceReport, json: boolean): void {
  if (json) {
    printJson({ ...report, values: report.values.map((v) => ({ ...v, unit: unitOf(v.metric) })) });
    return;
  }
  printLine(`host ${report.host.name} (id ${report.host.id}, from ${report.host.idSource})`);
  printLine(`samplers: ${report.samplers.join(', ') || '(none enabled)'}`);
  const checks = report.checks.map((c) => `${c.name} (${c.type})`);
  printLine(`checks: ${checks.join(', ') || '(none configured)'}`);
  printLine();
  printValues(report.values);
  printLine();
  printProblems(report.problems);
  printBuffer(report.buffer);
  printCollector(report.collector);
  printLine();
  printLine(report.ok ? 'all well' : 'problems found (see above)');
}

function printValues(values: readonly SeriesValue[]): void {
  if (values.length === 0) {
    printLine('no values sampled');
    return;
  }
  const rows = values.map((v) => [
    v.metric,
    formatLabels(v.labels),
    formatValue(v.value),
    unitOf(v.metric),
  ]);
  printTable([['METRIC', 'LABELS', 'VALUE', 'UNIT'], ...rows]);
}

function printProblems(problems: readonly CycleProblem[]): void {
  if (problems.length === 0) return;
  printLine('problems:');
  for (const p of problems) {
    const source = p.source === p.sampler ? '' : `${p.source}: `;
    printLine(`  ${p.sampler}: ${source}${p.message}`);
  }
  printLine();
}

function printBuffer(buffer: BufferState | undefined): void {
  if (!buffer) return;
  if (!buffer.exists) {
    printLine(`buffer ${buffer.path}: not created yet`);
    return;
  }
  const { oldestCreatedMs, droppedTotal, deadLetters } = buffer;
  // Whole seconds: "12s old" reads better than "12345ms old".
  const ageMs = oldestCreatedMs === undefined ? undefined : Date.now() - oldestCreatedMs;
  const ageText = (ms: number) => formatDuration(Math.max(0, Math.round(ms / 1000)) * 1000);
  const oldest = ageMs === undefined ? '-' : `${ageText(ageMs)} old`;
  const last = buffer.lastDeadLetter;
  printLine(`buffer ${buffer.path}`);
  printLine(`  pending: ${buffer.batches} batches, ${buffer.bytes} bytes, oldest ${oldest}`);
  printLine(`  dropped so far: ${droppedTotal} batches; dead letters: ${deadLetters}`);
  if (last) printLine(`  last dead letter: seq ${last.seq}: ${last.reason}`);
}

function printCollector(c: PingReport): void {
  printLine(`collector ${c.url}`);
  if (!c.reachable) {
    printLine(`  unreachable: ${c.error ?? 'unknown error'}`);
    return;
  }
  const accepted = c.tokenAccepted === undefined ? 'unknown' : c.tokenAccepted ? 'yes' : 'no';
  printLine(`  HTTP ${c.status}, token accepted: ${accepted}, round trip ${c.roundTripMs} ms`);
  if (c.clockSkewMs !== undefined) {
    printLine(`  clock skew: ${c.clockSkewMs} ms (positive: this host is behind)`);
  }
  if (c.error) printLine(`  error: ${c.error}`);
}

function formatLabels(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',') || '-';
}

function formatValue(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(3);
}
