// Retry spacing for notifications: 5 s, 10 s, 20 s … doubling up to 10 min between attempts,
// and no further attempt once a notification is 24 h old (by then it is history, not news).
export const FIRST_RETRY_MS = 5_000;
export const MAX_RETRY_MS = 10 * 60_000;
export const GIVE_UP_AFTER_MS = 24 * 3_600_000;

/** The wait after the given number of failed attempts (1 = after the first failure). */
export function retryDelayMs(failedAttempts: number): number {
  const exponent = Math.max(0, Math.min(failedAttempts - 1, 20));
  return Math.min(FIRST_RETRY_MS * 2 ** exponent, MAX_RETRY_MS);
}
