import { HostpulseError, quote } from '@hostpulse/shared';
import { labelsKey } from './labels-key.js';
import type { IngestBatch, Labels } from './storage.js';

// What both backends do before touching the database: check the shapes the database cannot,
// give each series its canonical key and apply the values rule of docs/storage.md: NaN and
// ±Infinity are dropped and counted, never stored, so no answer of the API carries a value
// JSON cannot write.

export interface PreparedSeries {
  readonly metric: string;
  readonly labels: Labels;
  readonly labelsKey: string;
  readonly timestampsMs: number[];
  readonly values: number[];
}

export interface PreparedBatch {
  /** Series with at least one finite sample; a series left with none is not created. */
  readonly series: PreparedSeries[];
  readonly acceptedSamples: number;
  readonly rejectedSamples: number;
}

export function prepareBatch(batch: IngestBatch): PreparedBatch {
  const series: PreparedSeries[] = [];
  let acceptedSamples = 0;
  let rejectedSamples = 0;

  for (const [index, input] of batch.series.entries()) {
    checkSeriesShape(batch, index);
    const timestampsMs: number[] = [];
    const values: number[] = [];
    for (let i = 0; i < input.values.length; i++) {
      const value = input.values[i] as number;
      if (!Number.isFinite(value)) {
        rejectedSamples++;
        continue;
      }
      timestampsMs.push(input.timestampsMs[i] as number);
      values.push(value);
    }
    acceptedSamples += values.length;
    if (values.length === 0) continue;
    const key = labelsKey(input.labels);
    series.push({ metric: input.metric, labels: input.labels, labelsKey: key, timestampsMs, values });
  }
  checkTimes(batch);
  return { series, acceptedSamples, rejectedSamples };
}

/** Event and gap times go into integer columns: a fraction would fail the whole batch later. */
function checkTimes(batch: IngestBatch): void {
  const times = [
    ...batch.events.map((e, i) => [`events[${i}].time`, e.timeMs] as const),
    ...batch.gaps.flatMap((g, i) => [[`gaps[${i}].from`, g.fromMs] as const, [`gaps[${i}].to`, g.toMs] as const]),
  ];
  for (const [where, t] of times) {
    if (Number.isSafeInteger(t)) continue;
    const key = `${batch.agentId}/${batch.incarnation}/${batch.seq}`;
    throw new HostpulseError('batch_invalid', `batch ${key}: ${where} ${quote(t)} is not whole milliseconds`);
  }
}

function checkSeriesShape(batch: IngestBatch, index: number): void {
  const input = batch.series[index];
  if (!input) return;
  const where = () => `batch ${batch.agentId}/${batch.incarnation}/${batch.seq}: series[${index}] ${quote(input.metric)}`;
  if (input.timestampsMs.length !== input.values.length) {
    throw new HostpulseError(
      'batch_invalid',
      `${where()} has ${input.timestampsMs.length} timestamps but ${input.values.length} values`,
    );
  }
  for (const t of input.timestampsMs) {
    if (Number.isSafeInteger(t)) continue;
    throw new HostpulseError('batch_invalid', `${where()}: timestamp ${quote(t)} is not whole milliseconds`);
  }
}
