import type { Batch } from '@hostpulse/shared';
import type { HostInventory, IngestBatch, Labels } from '../storage/storage.js';
import { mergeLabels, type LabelMemory } from './label-memory.js';

// Maps a decoded wire Batch to what storage keeps. decodeBatch() has already checked the
// required fields and the series shapes; this only renames, fills empty values and merges labels.

export function toIngestBatch(wire: Batch, receivedMs: number, memory?: LabelMemory): IngestBatch {
  const hostLabels: Labels = { ...(wire.labels ?? {}) };
  const sentAtMs = Number(wire.sentAtMs ?? 0);
  const agentId = wire.agentId ?? '';
  const series = wire.series ?? [];
  const labels = memory
    ? memory.mergeAll(agentId, hostLabels, series)
    : series.map((s) => mergeLabels(hostLabels, s.labels));
  return {
    agentId,
    incarnation: wire.incarnation ?? '',
    seq: Number(wire.seq),
    hostName: wire.hostName ?? '',
    agentVersion: wire.agentVersion ?? '',
    hostLabels,
    intervalMs: Number(wire.intervalMs ?? 0),
    receivedMs,
    // An agent that did not stamp the send time gives no skew rather than a 56-year one.
    clockSkewMs: sentAtMs > 0 ? receivedMs - sentAtMs : 0,
    stopping: wire.stopping === true,
    series: series.map((series, i) => ({
      metric: series.metric ?? '',
      labels: labels[i] as Labels,
      // int64 decodes to plain numbers (proto/scripts/generate.mjs), so no copy is needed.
      timestampsMs: series.timestampsMs ?? [],
      values: series.values ?? [],
    })),
    events: (wire.events ?? []).map((event) => ({
      timeMs: Number(event.timeMs ?? 0),
      kind: event.kind ?? '',
      labels: { ...hostLabels, ...(event.labels ?? {}) },
      message: event.message ?? '',
    })),
    gaps: (wire.gaps ?? []).map((gap) => ({
      fromMs: Number(gap.fromMs ?? 0),
      toMs: Number(gap.toMs ?? 0),
      batches: Number(gap.batches ?? 0),
      reason: gap.reason ?? '',
    })),
    inventory: wire.inventory ? toInventory(wire.inventory) : undefined,
  };
}

function toInventory(inventory: NonNullable<Batch['inventory']>): HostInventory {
  return {
    os: inventory.os ?? '',
    kernel: inventory.kernel ?? '',
    cpuModel: inventory.cpuModel ?? '',
    cpuCount: Number(inventory.cpuCount ?? 0),
    memoryBytes: Number(inventory.memoryBytes ?? 0),
    virtualization: inventory.virtualization ?? '',
    bootTimeMs: Number(inventory.bootTimeMs ?? 0),
  };
}

export function countSamples(batch: IngestBatch): number {
  return batch.series.reduce((sum, series) => sum + series.values.length, 0);
}
