import { HostpulseError, quote } from '@hostpulse/shared';
import type { SeriesIdentity, SeriesShapes } from './series-shapes.js';
import type { IngestBatch, IngestSeries, Labels } from './storage.js';

// What both backends do before touching the database: check the shapes the database cannot
// (timestamps whole and none twice in a series, no series twice in a batch),
// give each series its canonical key and apply the values rule of docs/storage.md: NaN and
// ±Infinity are dropped and counted, never stored, so no answer of the API carries a value
// JSON cannot write.

export interface PreparedSeries {
  readonly metric: string;
  readonly labels: Labels;
  readonly labelsKey: string;
  /** The host's remembered shape at this position (series-shapes.ts), kept across batches. */
  readonly identity: SeriesIdentity;
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
  const { identities, repeat } = shapes.identify(batch.agentId, batch.series);
  if (repeat) refuseRepeat(batch, repeat.first, repeat.again);
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
    const identity = identities[index] as SeriesIdentity;
    const { metric, labels, labelsKey } = identity;
    series.push({ metric, labels, labelsKey, identity, ...finite });
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
    ...batch.gaps.flatMap((g, i) => [
      [`gaps[${i}].from`, g.fromMs] as const,
      [`gaps[${i}].to`, g.toMs] as const,
    ]),
  ];
  for (const [where, t] of times) {
    if (Number.isSafeInteger(t)) continue;
    throw new HostpulseError('batch_invalid', `${batchRef(batch)}: ${where} ${quote(t)} is not whole milliseconds`);
  }
}

function checkSeriesShape(batch: IngestBatch, index: number): void {
  const input = batch.series[index];
  if (!input) return;
  const where = () => `${batchRef(batch)}: series[${index}] ${quote(input.metric)}`;
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
  // Two values at one time would be told apart by storage order only, which the PostgreSQL
  // fold does not keep: answers would change once it ran. Times may come in any order.
  const repeated = repeatedTime(input.timestampsMs);
  if (repeated !== undefined) {
    throw new HostpulseError('batch_invalid', `${where()}: timestamp ${repeated} appears more than once`);
  }
}

/** A time given twice; in the usual sorted list, found by comparing neighbours. */
function repeatedTime(times: readonly number[]): number | undefined {
  let sorted = true;
  for (let i = 1; i < times.length; i++) {
    if (times[i] === times[i - 1]) return times[i];
    if ((times[i] as number) < (times[i - 1] as number)) sorted = false;
  }
  if (sorted) return undefined;
  const seen = new Set<number>();
  for (const t of times) {
    if (seen.has(t)) return t;
    seen.add(t);
  }
  return undefined;
}

function refuseRepeat(batch: IngestBatch, first: number, again: number): never {
  const metric = quote(batch.series[again]?.metric);
  throw new HostpulseError(
    'batch_invalid',
    `${batchRef(batch)}: series[${again}] ${metric} repeats series[${first}] (same metric and labels); ` +
      'send each series once per batch',
  );
}

/** How errors name a batch: its exactly-once key. */
function batchRef(batch: IngestBatch): string {
  return `batch ${batch.agentId}/${batch.incarnation}/${batch.seq}`;
}
