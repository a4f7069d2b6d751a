import type { IngestBatch } from './storage.js';
import { bucketStart, type StoragePolicy } from './policy.js';

// The exactly-once keys (agent id, incarnation, seq) are kept per UTC day of the batch's own
// time, so that they can be dropped day by day (whole partitions on PostgreSQL). That day must
// be the same on every copy of a batch: the agent resends its stored payload unchanged, with
// only the send time (and the gaps it carries) stamped anew, so the day is read from the sample
// and event times, all of them, before the collector drops or refuses any. Their newest one is
// used rather than the oldest: it is nearest to when the agent made the batch (which its
// buffer's max_age counts from), and one sample stamped far in the past cannot make the key go
// long before the batch's other samples. A batch with neither samples nor events (the agent
// always sends its own agent_* metrics, so only a hand-made one) is keyed by the day it
// arrived: a copy of it arriving on a later UTC day is taken as new, which stores its gaps
// twice at worst.

const DAY_MS = 86_400_000;

/** The first millisecond of the UTC day the batch's key is kept under. */
export function batchDayMs(batch: IngestBatch): number {
  let newest = -Infinity;
  for (const series of batch.series) {
    for (const t of series.timestampsMs) if (t > newest) newest = t;
  }
  for (const event of batch.events) if (event.timeMs > newest) newest = event.timeMs;
  return bucketStart(Number.isFinite(newest) ? newest : batch.receivedMs, DAY_MS);
}

/**
 * Keys of the days that end at or before this time may go. A key stays for the longer of
 * retention.raw and retention.batch_keys after its batch's time, and at least as long as the
 * raw samples of its day: `rawLimitMs` is the limit raw retention applies this run (-Infinity
 * when nothing may go), which samples waiting for the rollup job hold back. A batch's samples
 * are all at or before its day's end, so once its key is gone none of them is left for a
 * resend to store twice.
 */
export function batchKeyLimitMs(policy: StoragePolicy, nowMs: number, rawLimitMs: number): number {
  const keepMs = Math.max(policy.rawRetentionMs, policy.batchKeyRetentionMs);
  return Math.min(nowMs - keepMs, rawLimitMs);
}
