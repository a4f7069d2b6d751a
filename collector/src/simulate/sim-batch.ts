import { encodeBatch, gzipBatch, type Series, type WireEvent } from '@hostpulse/shared';
import type { SimHost } from './fleet.js';
import { sampleHost, type ModelOptions } from './host-model.js';

// Turns cycles of a simulated host into the body an agent would POST: a protobuf Batch with the
// host's next seq, gzipped. One cycle per batch is what a live agent sends; a backfill may put
// several cycles in one batch, each series then carrying several samples.

export interface SimBatch {
  readonly host: SimHost;
  readonly seq: number;
  readonly body: Buffer;
  readonly samples: number;
}

const SIMULATOR_VERSION = 'simulate';

export function buildBatch(
  host: SimHost,
  cyclesMs: readonly number[],
  options: ModelOptions,
): SimBatch {
  const bySeries = new Map<string, Series & { timestampsMs: number[]; values: number[] }>();
  const events: WireEvent[] = [];
  let samples = 0;
  for (const tMs of cyclesMs) {
    const cycle = sampleHost(host, tMs, options);
    for (const sample of cycle.samples) {
      const key = seriesKey(sample.metric, sample.labels);
      let series = bySeries.get(key);
      if (!series) {
        series = { metric: sample.metric, labels: sample.labels, timestampsMs: [], values: [] };
        bySeries.set(key, series);
      }
      series.timestampsMs.push(tMs);
      series.values.push(sample.value);
      samples++;
    }
    events.push(...cycle.events);
  }

  const seq = host.seq++;
  const encoded = encodeBatch({
    agentId: host.agentId,
    hostName: host.hostName,
    agentVersion: SIMULATOR_VERSION,
    incarnation: host.incarnation,
    seq,
    sentAtMs: Date.now(),
    labels: host.labels,
    series: [...bySeries.values()],
    events,
    inventory: seq === 1 ? inventoryOf(host, cyclesMs[0] ?? Date.now()) : null,
    intervalMs: options.intervalMs,
  });
  // Level 1: one process plays thousands of agents, and at level 6 compressing was most of its
  // CPU; the collector inflates either at the same cost.
  return { host, seq, body: gzipBatch(encoded, 1), samples };
}

function seriesKey(metric: string, labels: Readonly<Record<string, string>>): string {
  let key = metric;
  for (const name in labels) key += `\u0000${name}=${labels[name]}`;
  return key;
}

function inventoryOf(host: SimHost, tMs: number) {
  return {
    os: 'Debian GNU/Linux 12 (bookworm)',
    kernel: '6.1.0-28-amd64',
    cpuModel: 'Simulated vCPU',
    cpuCount: host.cpuCount,
    memoryBytes: host.memoryBytes,
    virtualization: 'kvm',
    bootTimeMs: tMs - (3 + (host.index % 40)) * 86_400_000,
  };
}
