// How long the shipper waits before trying again. Pure functions of their inputs (the random
// source is passed in), so the tests pin them down exactly.

export interface BackoffPolicy {
  readonly baseMs: number;
  readonly maxMs: number;
}

/** Network errors and timeouts: 1 s doubling up to 60 s. */
export const NETWORK_BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 60_000 };

/** A refused token: an operator must act, so asking again often helps nobody. */
export const REFUSED_RETRY_MS = 60_000;

/** The longest Retry-After we honour; a bigger one is a misconfigured proxy, not a plan. */
export const MAX_RETRY_AFTER_MS = 10 * 60_000;

// Full jitter can draw ~0; this floor keeps a failing collector from being hit in a tight loop.
const MIN_DELAY_MS = 100;

/**
 * Exponential backoff with full jitter: a uniform draw in [0, min(max, base * 2^(failures-1))],
 * so many agents that lost the collector at once do not come back in step.
 */
export function fullJitterDelay(failures: number, policy: BackoffPolicy, random: () => number): number {
  const exponent = Math.max(0, Math.min(failures - 1, 30));
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  return Math.max(MIN_DELAY_MS, Math.floor(random() * ceiling));
}

/**
 * Reads a Retry-After header: delay-seconds or an HTTP date. Returns milliseconds from now
 * (0 for a date in the past), capped at MAX_RETRY_AFTER_MS; undefined when absent or unreadable.
 */
export function parseRetryAfter(header: string | undefined, nowMs: number): number | undefined {
  if (header === undefined) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, MAX_RETRY_AFTER_MS);
  if (!/[a-z]/i.test(text)) return undefined;
  const dateMs = Date.parse(text);
  if (Number.isNaN(dateMs)) return undefined;
  return Math.min(Math.max(0, dateMs - nowMs), MAX_RETRY_AFTER_MS);
}

/** A wait the server asked for, plus up to 20% (at least 1 s) so agents do not return together. */
export function withJitter(waitMs: number, random: () => number): number {
  return waitMs + Math.floor(random() * Math.max(1000, waitMs * 0.2));
}
