import { HostpulseError, quote } from '@hostpulse/shared';
import type { SeriesShapes } from './series-shapes.js';
import type { IngestBatch, IngestSeries, Labels } from './storage.js';

// What both backends do before touching the database: check the shapes the database cannot,
// give each series its canonical key and apply the values rule of docs/storage.md: NaN and
// ±Infinity are dropped and counted, never stored, so no answer of the API carries a value
// JSON cannot write.

export interface PreparedSeries {
  readonly metric: string;
  readonly labels: Labels;
  readonly labelsKey: string;
  readonly timestampsMs: readonly number[];
  readonly values: readonly number[];
}

export interface PreparedBatch {
  /** Series with at least one finite sample; a series left with none is not created. */
  readonly series: PreparedSeries[];
  readonly acceptedSamples: number;
  readonly rejectedSamples: number;
}

export function prepareBatch(batch: IngestBatch, shapes: SeriesShapes): PreparedBatch {
  const identities = shapes.identify(batch.agentId, batch.series);
  const series: PreparedSeries[] = [];
  let acceptedSamples = 0;
  let rejectedSamples = 0;

  for (let index = 0; index < batch.series.length; index++) {
    checkSeriesShape(batch, index);
    const input = batch.series[index] as IngestSeries;
    const finite = finiteSamples(input);
    rejectedSamples += input.values.length - finite.values.length;
    acceptedSamples += finite.values.length;
    if (finite.values.length === 0) continue;
    const { metric, labels, labelsKey } = identities[index] as PreparedSeries;
    series.push({ metric, labels, labelsKey, ...finite });
  }
  checkTimes(batch);
  return { series, acceptedSamples, rejectedSamples };
}

/** The samples with a finite value; the arrays themselves when all are (the common case). */
function finiteSamples(input: IngestSeries): Pick<IngestSeries, 'timestampsMs' | 'values'> {
  const { timestampsMs, values } = input;
  if (values.every(Number.isFinite)) return { timestampsMs, values };
  const kept = { timestampsMs: [] as number[], values: [] as number[] };
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) continue;
    kept.timestampsMs.push(timestampsMs[i] as number);
    kept.values.push(values[i] as number);
  }
  return kept;
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
