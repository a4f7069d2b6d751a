import { HostpulseError, quote } from '@hostpulse/shared';
import type { QueryRequest } from './storage.js';

// Both backends read at most maxPoints + 1 rows: one row too many proves the answer would be too
// big without reading all of it.

export function checkQueryRequest(request: QueryRequest): void {
  if (request.stepMs !== undefined && !(Number.isSafeInteger(request.stepMs) && request.stepMs > 0)) {
    const message = `step ${quote(request.stepMs)} must be a positive whole number of ms`;
    throw new HostpulseError('bad_request', message);
  }
  if (request.fromMs > request.toMs) {
    throw new HostpulseError(
      'bad_request',
      `from ${quote(request.fromMs)} is after to ${quote(request.toMs)}`,
    );
  }
}

export function tooManyPoints(request: QueryRequest): HostpulseError {
  const advice = request.stepMs === undefined ? 'add `step`' : 'raise `step`';
  return new HostpulseError(
    'bad_request',
    `query for ${quote(request.metric)} would return more than ${request.maxPoints} points; ` +
      `${advice} or narrow the time range`,
    { maxPoints: request.maxPoints, stepMs: request.stepMs ?? null },
  );
}

/** Groups rows (sorted by series, then time) into the points of each series id. */
export function groupPoints(
  rows: readonly { seriesId: number; tMs: number; value: number }[],
): Map<number, [number, number][]> {
  const points = new Map<number, [number, number][]>();
  for (const row of rows) {
    let list = points.get(row.seriesId);
    if (!list) points.set(row.seriesId, (list = []));
    list.push([row.tMs, row.value]);
  }
  return points;
}
