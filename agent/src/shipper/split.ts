import { BatchMessage, encodeBatch, type Batch } from '@hostpulse/shared';
import type { NewBatch, StoredBatch } from '../buffer/batch-buffer.js';

// Splitting a batch the collector answered 413 to. The collector stored nothing of it, so its
// halves may take new seqs (BatchBuffer.replace swaps them in one transaction): every sample
// still reaches the collector exactly once. Halves that are still too large are split again on
// their own 413.

/** Two smaller batches holding together exactly what `stored` holds, or undefined if it is one sample. */
export function splitStoredBatch(stored: StoredBatch): [NewBatch, NewBatch] | undefined {
  const batch = BatchMessage.decode(stored.payload);
  const halves = splitContent(batch);
  if (!halves) return undefined;
  return halves.map((half) => ({
    createdMs: stored.createdMs,
    samples: countSamples(half),
    encode: (seq: number, incarnation: string) => encodeBatch({ ...batch, ...half, seq, incarnation }),
  })) as [NewBatch, NewBatch];
}

type Content = Pick<Batch, 'series' | 'events'>;

function splitContent(batch: Batch): [Content, Content] | undefined {
  const series = batch.series ?? [];
  const events = batch.events ?? [];
  if (series.length >= 2) {
    const middle = Math.ceil(series.length / 2);
    return [
      { series: series.slice(0, middle), events },
      { series: series.slice(middle), events: [] },
    ];
  }
  const only = series[0];
  const points = only?.values?.length ?? 0;
  if (only && points >= 2) {
    const middle = Math.ceil(points / 2);
    const part = (from: number, to?: number) => ({
      ...only,
      timestampsMs: (only.timestampsMs ?? []).slice(from, to),
      values: (only.values ?? []).slice(from, to),
    });
    return [
      { series: [part(0, middle)], events },
      { series: [part(middle)], events: [] },
    ];
  }
  if (events.length >= 2) {
    const middle = Math.ceil(events.length / 2);
    return [
      { series, events: events.slice(0, middle) },
      { series: [], events: events.slice(middle) },
    ];
  }
  return undefined;
}

export function countSamples(batch: Pick<Batch, 'series'>): number {
  return (batch.series ?? []).reduce((sum, s) => sum + (s.values?.length ?? 0), 0);
}
