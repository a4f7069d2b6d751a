import { formatDuration, HostpulseError, quote } from '@hostpulse/shared';
import type { IngestBatch, Labels } from '../storage/storage.js';
import type { LabelMemory } from './label-memory.js';

// What a batch may hold, checked before storage sees it. Each limit keeps one sender from
// storing what nobody can read back: a timestamp no query can reach, a sequence number that
// loses precision in the exactly-once key, a label of 100 KB in every answer, a NUL byte
// PostgreSQL refuses in text. A batch over a limit is refused whole (400 batch_invalid), so the
// agent keeps it as a dead letter that `--once` shows, instead of half of it being stored.

export const BATCH_LIMITS = {
  seriesPerBatch: 10_000,
  nameChars: 200,
  labelsPerSeries: 64,
  labelValueChars: 1024,
  hostNameChars: 253,
  idChars: 128,
  /** Times before 2000-01-01 are a clock that was never set. */
  earliestMs: 946_684_800_000,
  /** A sample this far past the collector's clock comes from a host whose clock is wrong. */
  aheadMs: 60 * 60 * 1000,
} as const;

const METRIC_NAME = /^[A-Za-z_:][A-Za-z0-9_:]*$/;
const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// A label value may hold a line break (it is escaped wherever it is shown), never a NUL; names
// (host, agent id, incarnation) are one line without any control character.
const NAME_CONTROL = /[\u0000-\u001f\u007f]/;

/** `memory`: label sets it saw pass are not checked again, and this batch's are remembered. */
export function checkBatchLimits(batch: IngestBatch, memory?: LabelMemory): void {
  const refuse = (what: string) => {
    const key = `${short(batch.agentId)}/${short(batch.incarnation)}/${batch.seq}`;
    throw new HostpulseError('batch_invalid', `batch ${key}: ${what}`);
  };
  checkIdentity(batch, refuse);
  if (batch.series.length > BATCH_LIMITS.seriesPerBatch) {
    refuse(`${batch.series.length} series, more than ${BATCH_LIMITS.seriesPerBatch} in one batch`);
  }
  const earliest = BATCH_LIMITS.earliestMs;
  const latest = batch.receivedMs + BATCH_LIMITS.aheadMs;
  const labelSets = batch.series.map((series) => series.labels);
  const passed = memory?.passedBefore(batch.agentId, labelSets);
  batch.series.forEach((series, i) => {
    const at = `series[${i}]`;
    if (series.metric.length > BATCH_LIMITS.nameChars || !METRIC_NAME.test(series.metric)) {
      refuse(`${at}: metric ${quote(series.metric)} is not a metric name (${METRIC_NAME.source})`);
    }
    if (passed?.[i] !== true) checkLabels(series.labels, at, refuse);
    // The bounds first, in the loop: the message is only built for a batch being refused.
    for (const t of series.timestampsMs) {
      if (t < earliest || t > latest) checkTime(t, batch.receivedMs, at, refuse);
    }
  });
  batch.events.forEach((event, i) => checkLabels(event.labels, `events[${i}]`, refuse));
  batch.gaps.forEach((gap, i) => {
    if (gap.fromMs > gap.toMs) refuse(`gaps[${i}]: from ${gap.fromMs} is after to ${gap.toMs}`);
    if (gap.batches < 0) refuse(`gaps[${i}]: batches ${gap.batches} is negative`);
  });
  memory?.markChecked(batch.agentId, labelSets);
}

type Refuse = (what: string) => never;

function checkIdentity(batch: IngestBatch, refuse: Refuse): void {
  if (!Number.isSafeInteger(batch.seq)) {
    refuse(`seq ${batch.seq} is past 2^53 and would lose precision`);
  }
  checkName('host_name', batch.hostName, BATCH_LIMITS.hostNameChars, refuse);
  checkName('agent_id', batch.agentId, BATCH_LIMITS.idChars, refuse);
  checkName('incarnation', batch.incarnation, BATCH_LIMITS.idChars, refuse);
}

function checkName(field: string, value: string, limit: number, refuse: Refuse): void {
  if (value.length > limit) {
    refuse(`${field} ${quote(value)} is ${value.length} characters long, more than ${limit}`);
  }
  if (NAME_CONTROL.test(value)) refuse(`${field} ${quote(value)} holds a control character`);
}

function checkLabels(labels: Labels, at: string, refuse: Refuse): void {
  const entries = Object.entries(labels);
  if (entries.length > BATCH_LIMITS.labelsPerSeries) {
    refuse(`${at}: ${entries.length} labels, more than ${BATCH_LIMITS.labelsPerSeries}`);
  }
  for (const [name, value] of entries) {
    if (name.length > BATCH_LIMITS.nameChars || !LABEL_NAME.test(name)) {
      refuse(`${at}: label name ${quote(name)} is not a label name (${LABEL_NAME.source})`);
    }
    if (value.length > BATCH_LIMITS.labelValueChars) {
      const limit = BATCH_LIMITS.labelValueChars;
      refuse(`${at}: label ${name} is ${value.length} characters long, more than ${limit}`);
    }
    if (value.includes('\u0000')) refuse(`${at}: label ${name} holds a NUL byte`);
  }
}

function checkTime(t: number, receivedMs: number, at: string, refuse: Refuse): void {
  if (t < BATCH_LIMITS.earliestMs) {
    refuse(`${at}: timestamp ${t} is before 2000-01-01; is the host's clock set?`);
  }
  if (t > receivedMs + BATCH_LIMITS.aheadMs) {
    const ahead = formatDuration(Math.round((t - receivedMs) / 1000) * 1000);
    const fix = "fix the host's clock (NTP)";
    refuse(`${at}: timestamp ${t} is ${ahead} ahead of the collector's clock; ${fix}`);
  }
}

function short(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
