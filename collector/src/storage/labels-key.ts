import type { Labels } from './storage.js';

/**
 * The canonical text of a label set: JSON with keys in code-unit order. Two label sets are the
 * same series exactly when their keys are equal, whatever order the agent sent them in; both
 * backends compare it byte for byte, so it must never depend on locale.
 */
export function labelsKey(labels: Labels): string {
  const sorted: Record<string, string> = {};
  for (const name of Object.keys(labels).sort()) sorted[name] = labels[name] as string;
  return JSON.stringify(sorted);
}

/** One series of a host as a single string: its metric and canonical labels key. */
export function seriesKey(series: { readonly metric: string; readonly labelsKey: string }): string {
  return `${series.metric}\u0000${series.labelsKey}`;
}

/** True when both label sets hold the same names with the same values, in any order. */
export function sameLabels(a: Labels, b: Labels): boolean {
  let count = 0;
  for (const name in b) {
    if (a[name] !== b[name]) return false;
    count++;
  }
  for (const _ in a) count--;
  return count === 0;
}
