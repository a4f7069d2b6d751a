import type { DeliveryResult } from '../notifiers/notifier.js';
import type { AttemptOutcome, OutboxRow, OutboxState } from './alert-record.js';
import { GIVE_UP_AFTER_MS, retryDelayMs } from './backoff.js';

// What one delivery attempt means for an outbox row: sent, retried later, or abandoned. The
// rows of one combined message share the result, and share `jitter` too, so that a retried
// group comes back together rather than in pieces.

/** A Retry-After of 0 must not turn the worker into a busy loop. */
const MIN_RETRY_AFTER_MS = 1_000;

export interface AttemptVerdict {
  readonly outcome: AttemptOutcome;
  readonly state: OutboxState;
  /** When a pending row is next tried. */
  readonly dueMs: number;
}

export function judgeAttempt(
  row: OutboxRow,
  result: DeliveryResult,
  timeMs: number,
  jitter: number,
): AttemptVerdict {
  if (result.ok) return { outcome: 'sent', state: 'sent', dueMs: timeMs };
  if (result.permanent || timeMs - row.createdMs >= GIVE_UP_AFTER_MS) {
    return { outcome: 'abandoned', state: 'abandoned', dueMs: timeMs };
  }
  if (result.retryAfterMs !== undefined) {
    const dueMs = timeMs + Math.max(result.retryAfterMs, MIN_RETRY_AFTER_MS);
    return { outcome: 'rate_limited', state: 'pending', dueMs };
  }
  const dueMs = timeMs + retryDelayMs(row.attempts + 1, jitter);
  return { outcome: 'failed', state: 'pending', dueMs };
}
