import type { BufferStats } from './buffer/batch-buffer.js';
import type { SeriesValue } from './samplers/sampler.js';

// The agent's own health, sent with every batch (SPEC §3.3 agent_* metrics).

export interface SelfReading {
  readonly buffer: BufferStats;
  readonly cycleMs: number;
  readonly residentBytes: number;
}

export function selfMetrics(reading: SelfReading): SeriesValue[] {
  const value = (metric: string, v: number): SeriesValue => ({ metric, labels: {}, value: v });
  return [
    value('agent_buffer_batches', reading.buffer.batches),
    value('agent_buffer_bytes', reading.buffer.bytes),
    value('agent_buffer_dropped_batches_total', reading.buffer.droppedTotal),
    value('agent_cycle_seconds', reading.cycleMs / 1000),
    value('agent_resident_memory_bytes', reading.residentBytes),
  ];
}
