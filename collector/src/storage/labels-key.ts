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
