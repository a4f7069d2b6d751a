import { gzipBatch, type WireEvent } from '@hostpulse/shared';
import type { SimHost } from './fleet.js';
import { sampleHost, type ModelOptions, type SimSample } from './host-model.js';
import { encodeSimBatch, SeriesHeads, type SimSeries } from './sim-encode.js';

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

const heads = new SeriesHeads();

export function buildBatch(
  host: SimHost,
  cyclesMs: readonly number[],
  options: ModelOptions,
): SimBatch {
  const events: WireEvent[] = [];
  const cycles = cyclesMs.map((tMs) => {
    const cycle = sampleHost(host, tMs, options);
    events.push(...cycle.events);
    return cycle.samples;
  });
  const series =
    cycles.length === 1
      ? oneCycle(cyclesMs[0] as number, cycles[0] as SimSample[])
      : bySeries(cyclesMs, cycles);
  const samples = cycles.reduce((sum, cycle) => sum + cycle.length, 0);

  const seq = host.seq++;
  const header = {
    ...headerOf(host, seq, options),
    events,
    inventory: seq === 1 ? inventoryOf(host, cyclesMs[0] ?? Date.now()) : null,
  };
  return { host, seq, body: compress(encodeSimBatch(header, series, heads)), samples };
}

/**
 * The last batch of an agent stopped on purpose (SPEC §4, `stopping`): the collector then shows
 * the host as stopped rather than letting it turn down. It carries no series; the collector
 * takes a batch without any.
 */
export function buildGoodbye(host: SimHost, options: ModelOptions): SimBatch {
  const seq = host.seq++;
  const header = { ...headerOf(host, seq, options), events: [], stopping: true };
  return { host, seq, body: compress(encodeSimBatch(header, [], heads)), samples: 0 };
}

function headerOf(host: SimHost, seq: number, options: ModelOptions) {
  return {
    agentId: host.agentId,
    hostName: host.hostName,
    agentVersion: SIMULATOR_VERSION,
    incarnation: host.incarnation,
    seq,
    sentAtMs: Date.now(),
    labels: host.labels,
    intervalMs: options.intervalMs,
  };
}

// Level 1: one process plays thousands of agents, and at level 6 compressing was most of its
// CPU; the collector inflates either at the same cost.
function compress(body: Buffer): Buffer {
  return gzipBatch(body, 1);
}

/** A live agent's batch: each sample of the cycle is its own series. */
function oneCycle(tMs: number, samples: readonly SimSample[]): SimSeries[] {
  return samples.map(({ metric, labels, value }) => ({
    metric,
    labels,
    timestampsMs: [tMs],
    values: [value],
  }));
}

/** Several cycles in one batch: each series carries a sample per cycle it appeared in. */
function bySeries(cyclesMs: readonly number[], cycles: readonly SimSample[][]): SimSeries[] {
  const found = new Map<string, SimSeries & { timestampsMs: number[]; values: number[] }>();
  cycles.forEach((cycle, i) => {
    for (const sample of cycle) {
      const key = seriesKey(sample.metric, sample.labels);
      let series = found.get(key);
      if (!series) {
        series = { metric: sample.metric, labels: sample.labels, timestampsMs: [], values: [] };
        found.set(key, series);
      }
      series.timestampsMs.push(cyclesMs[i] as number);
      series.values.push(sample.value);
    }
  });
  return [...found.values()];
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
