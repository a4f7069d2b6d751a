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
 * produces an event with its error text"). An event belongs to a check by its `check` label.
 */
export function checkMessages(events: readonly IngestEvent[]): Map<string, IngestEvent> {
  const newest = new Map<string, IngestEvent>();
  for (const event of events) {
    const check = event.labels.check;
    if (check === undefined) continue;
    const seen = newest.get(check);
    if (!seen || event.timeMs >= seen.timeMs) newest.set(check, event);
  }
  return newest;
}
