import { bucketStart, ROLLUP_BUCKET_MS } from './policy.js';
import type { QueryRequest } from './storage.js';

// Which resolution answers a query (docs/storage.md, "Choosing raw or rollups"). Rollups answer
// a stepped query when the step is a whole number of 5-minute buckets (so rollup buckets nest
// in query buckets) and the range is long (a day or more) or starts before the raw samples
// still kept. Only buckets the rollup job has finished are read from rollups; the rest of the
// range, at its edges, comes from raw samples, so both parts give the same answer raw would.

export const ROLLUP_MIN_RANGE_MS = 86_400_000;

/** What the maintenance jobs recorded (storage_state). */
export interface MaintenanceState {
  /** Rollups are complete for buckets before this (data arriving late aside). */
  readonly rolledThroughMs?: number | undefined;
  /** Raw samples before this may have been dropped by retention. */
  readonly rawFromMs?: number | undefined;
}

export interface QueryPlan {
  /** Rollup buckets with start in [fromMs, toMs); absent when raw samples answer alone. */
  readonly rollup?: { readonly fromMs: number; readonly toMs: number };
  /** Inclusive ranges of raw samples to read besides, at most two. */
  readonly raw: readonly (readonly [number, number])[];
}

export function planQuery(request: QueryRequest, state: MaintenanceState): QueryPlan {
  const { fromMs, toMs, stepMs } = request;
  const rawOnly: QueryPlan = { raw: [[fromMs, toMs]] };
  if (stepMs === undefined || stepMs % ROLLUP_BUCKET_MS !== 0) return rawOnly;
  if (state.rolledThroughMs === undefined) return rawOnly;

  const beforeRaw = state.rawFromMs !== undefined && fromMs < state.rawFromMs;
  if (!beforeRaw && toMs - fromMs < ROLLUP_MIN_RANGE_MS) return rawOnly;

  // Before the raw samples kept, the first bucket can only come whole from its rollup.
  const rollupFrom = beforeRaw ? bucketStart(fromMs, ROLLUP_BUCKET_MS) : ceilBucket(fromMs);
  const rollupTo = Math.min(bucketStart(toMs + 1, ROLLUP_BUCKET_MS), state.rolledThroughMs);
  if (rollupFrom >= rollupTo) return rawOnly;

  const raw: [number, number][] = [];
  if (fromMs < rollupFrom) raw.push([fromMs, rollupFrom - 1]);
  if (rollupTo <= toMs) raw.push([rollupTo, toMs]);
  return { rollup: { fromMs: rollupFrom, toMs: rollupTo }, raw };
}

/**
 * The first 5-minute bucket whose raw samples retention has left whole (undefined while it has
 * dropped none): before it a bucket's raw samples may be partly or wholly gone, so only its
 * rollup can answer for it. The embedded store recomputes rollups from raw samples only from here.
 */
export function wholeRawFromMs(state: MaintenanceState): number | undefined {
  return state.rawFromMs === undefined ? undefined : ceilBucket(state.rawFromMs);
}

function ceilBucket(t: number): number {
  const start = bucketStart(t, ROLLUP_BUCKET_MS);
  return start === t ? t : start + ROLLUP_BUCKET_MS;
}
