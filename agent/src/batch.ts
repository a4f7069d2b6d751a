import { encodeBatch, type Inventory, type Series, type WireEvent } from '@hostpulse/shared';
import type { NewBatch } from './buffer/batch-buffer.js';
import type { HostIdentity } from './host-identity.js';
import type { SeriesValue } from './samplers/sampler.js';

// A cycle's values as a batch for the buffer. Every value is stamped with the cycle's time.
// The stored encoding has no sent_at: the shipper appends it to each copy it sends.

export interface CycleBatch {
  readonly identity: HostIdentity;
  readonly agentVersion: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly intervalMs: number;
  readonly cycleMs: number;
  readonly values: readonly SeriesValue[];
  readonly events: readonly WireEvent[];
  readonly inventory?: Inventory;
  readonly stopping: boolean;
}

export function toNewBatch(content: CycleBatch): NewBatch {
  const series: Series[] = content.values.map((v) => ({
    metric: v.metric,
    labels: { ...v.labels },
    timestampsMs: [content.cycleMs],
    values: [v.value],
  }));
  return {
    createdMs: content.cycleMs,
    samples: series.length,
    encode: (seq, incarnation) =>
      encodeBatch({
        agentId: content.identity.id,
        hostName: content.identity.name,
        agentVersion: content.agentVersion,
        incarnation,
        seq,
        labels: { ...content.labels },
        series,
        events: [...content.events],
        inventory: content.inventory ?? null,
        stopping: content.stopping,
        intervalMs: content.intervalMs,
      }),
  };
}
