import type { Logger } from '@hostpulse/shared';
import { seriesKey } from './labels-key.js';
import type { PreparedBatch, PreparedSeries } from './prepare-batch.js';
import type { IngestResult, SeriesRef } from './storage.js';

// limits.series_per_host: a host whose series reach the limit gets no new ones. A refused
// series is remembered in this process, so later batches refuse it without asking the
// database, and it is logged once (at warn, with the host and the limit) when first refused.
// The batch itself is stored with its other series; the ack names what was refused.
// The count is read in the transaction that creates series; two replicas creating series for
// one host at the same moment can pass the limit by what each created (agents send one batch
// at a time, so in practice they do not).

/** The ack and the log list at most this many refused series. */
const LISTED_AT_MOST = 50;

export class SeriesLimiter {
  private readonly refused = new Map<string, Set<string>>();
  private refusedSeriesTotal = 0;
  private refusedSamplesTotal = 0;

  constructor(
    readonly limit: number,
    private readonly log: Logger,
  ) {}

  /** Splits off the series of this batch that were refused before. */
  split(
    hostId: string,
    series: readonly PreparedSeries[],
  ): { kept: PreparedSeries[]; refused: PreparedSeries[] } {
    const known = this.refused.get(hostId);
    if (!known) return { kept: [...series], refused: [] };
    const kept: PreparedSeries[] = [];
    const refused: PreparedSeries[] = [];
    for (const s of series) (known.has(seriesKey(s)) ? refused : kept).push(s);
    return { kept, refused };
  }

  /**
   * Of series new to the database, in batch order, admits as many as the host has room for and
   * remembers the rest as refused.
   */
  admit(hostId: string, existing: number, fresh: readonly PreparedSeries[]): PreparedSeries[] {
    const room = Math.max(0, this.limit - existing);
    if (fresh.length <= room) return [...fresh];
    const refused = fresh.slice(room);
    let known = this.refused.get(hostId);
    if (!known) this.refused.set(hostId, (known = new Set()));
    for (const s of refused) known.add(seriesKey(s));
    this.refusedSeriesTotal += refused.length;
    const series = refused.slice(0, LISTED_AT_MOST).map(refOf);
    const fields = { hostId, limit: this.limit, existing, refused: refused.length, series };
    this.log.warn(fields, 'series refused: the host reached limits.series_per_host');
    return fresh.slice(0, room);
  }

  /** The batch as stored (refused series left out) and what the ingest answer adds. */
  apply(
    prepared: PreparedBatch,
    refused: readonly PreparedSeries[],
    kept: readonly PreparedSeries[],
  ): { stored: PreparedBatch; extra: Pick<IngestResult, 'refusedSeries' | 'refusedSamples'> } {
    if (refused.length === 0) return { stored: prepared, extra: {} };
    const refusedSamples = refused.reduce((n, s) => n + s.values.length, 0);
    const acceptedSamples = prepared.acceptedSamples - refusedSamples;
    const stored = { ...prepared, series: [...kept], acceptedSamples };
    const refusedSeries = refused.slice(0, LISTED_AT_MOST).map(refOf);
    return { stored, extra: { refusedSeries, refusedSamples } };
  }

  /** Counts the refused samples of a batch that was stored (not a duplicate). */
  countStored(extra: Pick<IngestResult, 'refusedSamples'>): void {
    this.refusedSamplesTotal += extra.refusedSamples ?? 0;
  }

  counters(): { refusedSeriesTotal: number; refusedSamplesTotal: number } {
    const { refusedSeriesTotal, refusedSamplesTotal } = this;
    return { refusedSeriesTotal, refusedSamplesTotal };
  }
}

function refOf(s: PreparedSeries): SeriesRef {
  return { metric: s.metric, labels: s.labels };
}
