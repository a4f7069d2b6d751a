import type { IngestBatch } from './storage.js';

// The hosts row of an agent is rewritten only when something in it changed, or when last_seen
// moved by at least a second: a fleet sending often would otherwise update the same rows on
// every batch for nothing. The snapshot is this process's memory of what it last wrote; with
// two replicas it can be stale, which costs at most one skipped write of less than a second
// of last_seen (the next batch rewrites the row).

const LAST_SEEN_RESOLUTION_MS = 1_000;

export interface HostSnapshot {
  readonly name: string;
  readonly agentVersion: string;
  readonly labelsJson: string;
  readonly intervalMs: number;
  readonly clockSkewMs: number;
  readonly state: 'up' | 'stopped';
  readonly inventoryJson: string | null;
  readonly incarnation: string;
  readonly lastSeenMs: number;
}

export function snapshotOf(batch: IngestBatch): HostSnapshot {
  return {
    name: batch.hostName,
    agentVersion: batch.agentVersion,
    labelsJson: JSON.stringify(batch.hostLabels),
    intervalMs: batch.intervalMs,
    clockSkewMs: batch.clockSkewMs,
    state: batch.stopping ? 'stopped' : 'up',
    inventoryJson: batch.inventory ? JSON.stringify(batch.inventory) : null,
    incarnation: batch.incarnation,
    lastSeenMs: batch.receivedMs,
  };
}

export function needsHostWrite(written: HostSnapshot | undefined, next: HostSnapshot): boolean {
  if (!written) return true;
  return (
    next.lastSeenMs - written.lastSeenMs >= LAST_SEEN_RESOLUTION_MS ||
    Math.abs(next.clockSkewMs - written.clockSkewMs) >= LAST_SEEN_RESOLUTION_MS ||
    next.state !== written.state ||
    next.name !== written.name ||
    next.agentVersion !== written.agentVersion ||
    next.labelsJson !== written.labelsJson ||
    next.intervalMs !== written.intervalMs ||
    next.incarnation !== written.incarnation ||
    (next.inventoryJson !== null && next.inventoryJson !== written.inventoryJson)
  );
}
