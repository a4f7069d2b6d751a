import { BatchMessage, encodeBatch, gzipBatch, type Batch } from '@hostpulse/shared';

// Wire batches as an agent would send them, built with the shared codec.

export interface BatchOptions {
  readonly agentId?: string;
  readonly hostName?: string;
  readonly seq?: number;
  readonly incarnation?: string;
  readonly startMs?: number;
  readonly samples?: number;
  readonly metric?: string;
  readonly labels?: Record<string, string>;
}

export function wireBatch(options: BatchOptions = {}): Batch {
  const startMs = options.startMs ?? Date.now() - 60_000;
  const samples = options.samples ?? 3;
  const times = Array.from({ length: samples }, (_, i) => startMs + i * 10_000);
  return BatchMessage.create({
    agentId: options.agentId ?? 'agent-a',
    hostName: options.hostName ?? 'web-1',
    agentVersion: '0.1.0',
    incarnation: options.incarnation ?? 'inc-1',
    seq: options.seq ?? 1,
    sentAtMs: Date.now(),
    intervalMs: 10_000,
    labels: options.labels ?? { env: 'test' },
    series: [
      {
        metric: options.metric ?? 'cpu_usage_percent',
        labels: {},
        timestampsMs: times,
        values: times.map((_, i) => 10 + i),
      },
    ],
    inventory: { os: 'Debian 12', kernel: '6.1.0', cpuModel: 'test cpu', cpuCount: 2, memoryBytes: 4_000_000_000 },
  });
}

export function encoded(batch: Batch): Buffer {
  return Buffer.from(encodeBatch(batch));
}

export function gzipped(batch: Batch): Buffer {
  return gzipBatch(encodeBatch(batch));
}
