import type { Counter } from './counter.js';
import type { Gauge } from './gauge.js';
import type { Histogram } from './histogram.js';
import { MetricRegistry } from './registry.js';

// The metrics the collector exposes about itself (docs/collector.md, "Self-monitoring"). Each
// part that counts something gets its handle from here; the names are fixed in this one file.
// Gauges read at scrape time (database pool, outbox, alerts) get their collect() in wiring.ts.

/** Why an ingest request was refused: its error code, or `rate_limited`. */
export const INGEST_REJECTION_REASONS = [
  'unauthorized',
  'forbidden',
  'batch_invalid',
  'bad_request',
  'batch_too_large',
  'rate_limited',
  'overloaded',
  'storage_unavailable',
  'internal',
] as const;

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface CollectorMetrics {
  readonly registry: MetricRegistry;
  readonly ingestBatches: Counter;
  readonly ingestDuplicates: Counter;
  readonly ingestSamples: Counter;
  readonly ingestRejectedSamples: Counter;
  readonly ingestRejections: Counter<'reason'>;
  readonly ingestDuration: Histogram;
  readonly poolWait: Histogram;
  readonly notifications: Counter<'notifier' | 'outcome'>;
  readonly jobRuns: Counter<'job' | 'outcome'>;
  readonly buildInfo: Gauge<'version'>;
}

export function createCollectorMetrics(version: string): CollectorMetrics {
  const registry = new MetricRegistry();
  const metrics: CollectorMetrics = {
    registry,
    buildInfo: registry.gauge({
      name: 'hostpulse_collector_build_info',
      help: 'Always 1; the label says which collector version runs.',
      labelNames: ['version'],
    }),
    ingestBatches: registry.counter({
      name: 'hostpulse_ingest_batches_total',
      help: 'Batches stored (duplicates not included).',
    }),
    ingestDuplicates: registry.counter({
      name: 'hostpulse_ingest_duplicate_batches_total',
      help: 'Batches received again after they were stored, acknowledged without storing.',
    }),
    ingestSamples: registry.counter({
      name: 'hostpulse_ingest_samples_total',
      help: 'Samples stored.',
    }),
    ingestRejectedSamples: registry.counter({
      name: 'hostpulse_ingest_rejected_samples_total',
      help: 'NaN and infinite sample values left out of stored batches.',
    }),
    ingestRejections: registry
      .counter({
        name: 'hostpulse_ingest_rejections_total',
        help: 'Ingest requests refused, by reason (the error code, or rate_limited).',
        labelNames: ['reason'],
      })
      .init(INGEST_REJECTION_REASONS.map((reason) => ({ reason }))),
    ingestDuration: registry.histogram({
      name: 'hostpulse_ingest_duration_seconds',
      help: 'Time to answer an ingest request, from its arrival to the answer sent.',
      buckets: LATENCY_BUCKETS,
    }),
    poolWait: registry.histogram({
      name: 'hostpulse_db_pool_wait_seconds',
      help: 'Time spent waiting for a PostgreSQL connection from the pool.',
      buckets: LATENCY_BUCKETS,
    }),
    notifications: registry.counter({
      name: 'hostpulse_notifications_total',
      help: 'Notification delivery attempts, by notifier and outcome.',
      labelNames: ['notifier', 'outcome'],
    }),
    jobRuns: registry
      .counter({
        name: 'hostpulse_job_runs_total',
        help: 'Runs of the maintenance jobs (partitions, rollup, retention), by outcome.',
        labelNames: ['job', 'outcome'],
      })
      .init(
        ['partitions', 'rollup', 'retention'].flatMap((job) =>
          ['ok', 'failed', 'skipped'].map((outcome) => ({ job, outcome })),
        ),
      ),
  };
  metrics.buildInfo.set({ version }, 1);
  return metrics;
}
