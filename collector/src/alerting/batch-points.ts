import type { IngestBatch, IngestEvent, IngestSeries } from '../storage/storage.js';
import { labelsKeyOf } from './alert-record.js';
import type { SeriesPoint } from './evaluate.js';

// Turns a stored batch into the points alerting evaluates: every finite value of a series,
// oldest first, so `for:` sees each point a batch carries (a backlog batch holds many).

export function pointsOf(batch: IngestBatch, series: IngestSeries): SeriesPoint[] {
  const labelsKey = labelsKeyOf(series.labels);
  const points: SeriesPoint[] = [];
  series.timestampsMs.forEach((timeMs, i) => {
    const value = series.values[i] as number;
    if (!Number.isFinite(value)) return;
    const { agentId: hostId, hostName } = batch;
    points.push({ hostId, hostName, labels: series.labels, labelsKey, timeMs, value });
  });
  return points.sort((a, b) => a.timeMs - b.timeMs);
}

/**
 * The newest message of each check's events in the batch (SPEC §3.3: "a failing check also
 * produces an event with its error text"), keyed by reasonKey(). An event belongs to a check
 * by its `check` label; a backup problem's event names its backup and the metric it explains.
 */
export function checkMessages(events: readonly IngestEvent[]): Map<string, IngestEvent> {
  const newest = new Map<string, IngestEvent>();
  for (const event of events) {
    const key = reasonKey(event.labels, event.labels.metric);
    if (key === undefined) continue;
    const seen = newest.get(key);
    if (!seen || event.timeMs >= seen.timeMs) newest.set(key, event);
  }
  return newest;
}

/** Where the reason for a series is kept: its check, or its backup and metric; else undefined. */
export function reasonKey(
  labels: Readonly<Record<string, string>>,
  metric: string | undefined,
): string | undefined {
  if (labels.check !== undefined) return `check\u0000${labels.check}`;
  if (labels.backup === undefined || metric === undefined) return undefined;
  return `backup\u0000${labels.backup}\u0000${metric}`;
}
