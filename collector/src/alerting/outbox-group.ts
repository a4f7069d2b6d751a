import type { Logger } from '@hostpulse/shared';
import type { DeliveryResult, Notifier, OutgoingNotification } from '../notifiers/notifier.js';
import type { OutboxRow } from './alert-record.js';
import { judgeAttempt, type AttemptVerdict } from './attempt-verdict.js';
import type { Claim, FinishedAttempt, OutboxStore } from './store/outbox-store.js';

// One delivery of one notifier's due rows: claim them, send them as one message while the
// claim is renewed, record one attempt per row with the row's new state, log once.

/** The most one send may take, whatever the notifier's own timeouts. */
const SEND_DEADLINE_MS = 60_000;

export interface GroupDelivery {
  readonly store: OutboxStore;
  readonly notifierName: string;
  /** Undefined when the notifier was removed from the config: its rows are abandoned. */
  readonly notifier: Notifier | undefined;
  readonly log: Logger;
  readonly now: () => number;
  readonly claim: Claim;
  readonly leaseMs: number;
  readonly maxGroup: number;
  readonly jitter: number;
}

/** Returns when the notifier asked to be left alone until (a 429), if it did. */
export async function deliverGroup(d: GroupDelivery): Promise<number | undefined> {
  const claimed = await d.store.claimDue(d.notifierName, d.now(), d.maxGroup, d.claim);
  if (claimed.length === 0) return undefined;
  // UPDATE … RETURNING gives rows in no set order; a message lists them as they were made
  // (ids sort in that order, see ordered-id.ts).
  const rows = [...claimed].sort((a, b) => a.createdMs - b.createdMs || compare(a.id, b.id));
  const result = await sendRenewing(d, rows);
  const timeMs = d.now();
  const verdicts = rows.map((row) => judgeAttempt(row, result, timeMs, d.jitter));
  await d.store.finishAttempts(rows.map((row, i) => finished(row, result, verdicts[i]!, timeMs)));
  report(d, rows, result, verdicts[0]!, timeMs);
  return verdicts[0]!.outcome === 'rate_limited' ? verdicts[0]!.dueMs : undefined;
}

async function sendRenewing(d: GroupDelivery, rows: readonly OutboxRow[]) {
  if (!d.notifier) {
    const error = `notifier ${JSON.stringify(d.notifierName)} is no longer configured`;
    return { ok: false, error, permanent: true };
  }
  const ids = rows.map((r) => r.id);
  const renew = setInterval(() => {
    const claim = { by: d.claim.by, untilMs: d.now() + d.leaseMs };
    d.store.renewClaims(ids, claim).catch((err: unknown) => {
      // The send goes on; if the lease runs out meanwhile another worker may send these too.
      d.log.warn({ err, notifier: d.notifierName }, 'outbox claim not renewed');
    });
  }, d.leaseMs / 3);
  try {
    const group: OutgoingNotification[] = rows.map((r) => ({ ...r.payload, id: r.id }));
    return await d.notifier.send(group, AbortSignal.timeout(SEND_DEADLINE_MS));
  } catch (err) {
    // A notifier should report failures, not throw; one that does must not stop the outbox.
    return { ok: false, error: (err as Error).message };
  } finally {
    clearInterval(renew);
  }
}

function finished(
  row: OutboxRow,
  result: DeliveryResult,
  verdict: AttemptVerdict,
  timeMs: number,
): FinishedAttempt {
  const lastError = result.error ?? null;
  return {
    attempt: {
      outboxId: row.id,
      timeMs,
      outcome: verdict.outcome,
      status: result.status ?? null,
      reply: result.reply ?? null,
      error: lastError,
    },
    update: { id: row.id, state: verdict.state, dueMs: verdict.dueMs, lastError },
  };
}

function report(
  d: GroupDelivery,
  rows: readonly OutboxRow[],
  result: DeliveryResult,
  verdict: AttemptVerdict,
  timeMs: number,
): void {
  const first = rows[0]!;
  const log = d.log.child({ notifier: d.notifierName });
  const notifications = rows.length;
  const attempts = first.attempts + 1;
  const fields = { notifications, alertId: first.alertId, kind: first.kind, attempts };
  const failure = { ...fields, status: result.status, error: result.error };
  const retryInMs = verdict.dueMs - timeMs;
  switch (verdict.outcome) {
    case 'sent':
      return log.info({ ...fields, status: result.status }, 'notification sent');
    case 'abandoned':
      // Someone must look at the notifier: the alerts themselves stay visible in the API.
      return log.error(failure, 'notification abandoned');
    case 'rate_limited':
      return log.warn({ ...failure, retryInMs }, 'notifier rate limited, waiting as asked');
    default:
      return log.warn({ ...failure, retryInMs }, 'notification failed, will retry');
  }
}

function compare(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
