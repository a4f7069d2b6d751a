// Retry spacing for notifications: about 5 s, 10 s, 20 s … doubling up to 10 min between
// attempts, and no further attempt once a notification is 24 h old (by then it is history, not
// news). Each wait is drawn between half and all of its step ("equal jitter"), so replicas and
// notifiers that failed together do not all come back in the same second.
export const FIRST_RETRY_MS = 5_000;
export const MAX_RETRY_MS = 10 * 60_000;
export const GIVE_UP_AFTER_MS = 24 * 3_600_000;

/**
 * The wait after the given number of failed attempts (1 = after the first failure); `jitter`
 * in [0, 1) picks where in the upper half of the step it falls (0 = half the step).
 */
export function retryDelayMs(failedAttempts: number, jitter: number): number {
  const exponent = Math.max(0, Math.min(failedAttempts - 1, 20));
  const step = Math.min(FIRST_RETRY_MS * 2 ** exponent, MAX_RETRY_MS);
  return Math.round(step / 2 + (step / 2) * Math.min(Math.max(jitter, 0), 1));
}
