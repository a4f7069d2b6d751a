import type { Logger } from '@hostpulse/shared';
import type { Notifier, DeliveryResult } from '../notifiers/notifier.js';
import type { OutboxRow } from './alert-record.js';
import type { AlertStore } from './store/alert-store.js';
import { judgeAttempt, type AttemptVerdict } from './attempt-verdict.js';

// Delivers the outbox. Invariants:
// - Every delivery attempt is recorded (notification_attempts) together with the row's new
//   state, in one transaction; a row is `sent` only after its notifier said so.
// - A row is claimed for a lease before sending, so two workers (or replicas) never send it at
//   the same time; a worker that dies mid-send leaves it due again when the lease runs out.
// - Failures retry with exponential backoff (backoff.ts); a 429 pauses that notifier for the
//   Retry-After the other side asked for; permanent failures and rows older than 24 h are
//   abandoned with an error log, since someone must look at the notifier.
// - The worker holds nothing the database does not: a restart picks up every pending row.

const BATCH = 20;
/** Longer than any notifier's own timeout, so a lease never ends while its send still runs. */
const LEASE_MS = 2 * 60_000;
/** The most one send may take, whatever the notifier's own timeouts. */
const SEND_DEADLINE_MS = 60_000;
/** Polls at least this often, for rows written by another replica or due while we slept. */
const MAX_SLEEP_MS = 30_000;

export interface OutboxWorkerOptions {
  readonly store: AlertStore;
  readonly notifiers: ReadonlyMap<string, Notifier>;
  readonly log: Logger;
  readonly now: () => number;
}

export class OutboxWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private started = false;
  private readonly pausedUntil = new Map<string, number>();

  constructor(private readonly options: OutboxWorkerOptions) {}

  start(): void {
    this.started = true;
    this.wake();
  }

  /** Delivers what is due now, soon; called after new rows are stored. */
  wake(): void {
    if (!this.started) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.drain(), 0);
  }

  /** Delivers every row due now and resolves when done (used by idle() and by the timer). */
  async drain(): Promise<void> {
    // Wait out a pass already running, then run one of our own: rows stored meanwhile are seen.
    while (this.running) await this.running;
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
    await this.running;
  }

  /** Stops the timer; a send in flight finishes or hits its deadline (SEND_DEADLINE_MS). */
  async stop(): Promise<void> {
    this.started = false;
    clearTimeout(this.timer);
    while (this.running) await this.running;
  }

  private async loop(): Promise<void> {
    const { store, log, now } = this.options;
    try {
      for (;;) {
        const rows = await store.dueOutbox(now(), BATCH);
        if (rows.length === 0) break;
        for (const row of rows) await this.deliver(row);
      }
    } catch (err) {
      log.warn({ err }, 'outbox unavailable, will retry');
    }
    await this.schedule();
  }

  private async schedule(): Promise<void> {
    if (!this.started) return;
    let sleepMs = MAX_SLEEP_MS;
    try {
      const next = await this.options.store.nextDueMs();
      if (next !== undefined) sleepMs = Math.min(MAX_SLEEP_MS, next - this.options.now());
    } catch (err) {
      this.options.log.warn({ err }, 'outbox unavailable, will retry');
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.drain(), Math.max(sleepMs, 50));
    this.timer.unref();
  }

  private async deliver(row: OutboxRow): Promise<void> {
    const { store, notifiers, now } = this.options;
    const paused = this.pausedUntil.get(row.notifier) ?? 0;
    if (paused > now()) return store.postpone(row.id, paused);
    if (!(await store.claim(row.id, now(), now() + LEASE_MS))) return;
    const notifier = notifiers.get(row.notifier);
    const gone = `notifier ${JSON.stringify(row.notifier)} is no longer configured`;
    const result: DeliveryResult = notifier
      ? await this.send(notifier, row)
      : { ok: false, error: gone, permanent: true };
    await this.record(row, result);
  }

  private async send(notifier: Notifier, row: OutboxRow): Promise<DeliveryResult> {
    try {
      return await notifier.send(row.payload, AbortSignal.timeout(SEND_DEADLINE_MS));
    } catch (err) {
      // A notifier should report failures, not throw; one that does must not stop the outbox.
      return { ok: false, error: (err as Error).message };
    }
  }

  private async record(row: OutboxRow, result: DeliveryResult): Promise<void> {
    const timeMs = this.options.now();
    const verdict = judgeAttempt(row, result, timeMs);
    const lastError = result.error ?? null;
    await this.options.store.finishAttempt(
      {
        outboxId: row.id,
        timeMs,
        outcome: verdict.outcome,
        status: result.status ?? null,
        reply: result.reply ?? null,
        error: lastError,
      },
      { id: row.id, state: verdict.state, dueMs: verdict.dueMs, lastError },
    );
    if (verdict.outcome === 'rate_limited') this.pausedUntil.set(row.notifier, verdict.dueMs);
    this.report(row, result, verdict, timeMs);
  }

  private report(row: OutboxRow, result: DeliveryResult, verdict: AttemptVerdict, timeMs: number) {
    const { notifier, alertId, kind } = row;
    const log = this.options.log.child({ notifier, outboxId: row.id, alertId, kind });
    const fields = { attempts: row.attempts + 1, status: result.status, error: result.error };
    const retryInMs = verdict.dueMs - timeMs;
    switch (verdict.outcome) {
      case 'sent':
        return log.info({ attempts: fields.attempts, status: result.status }, 'notification sent');
      case 'abandoned':
        // Someone must look at the notifier: the alert itself stays visible in the API.
        return log.error(fields, 'notification abandoned');
      case 'rate_limited':
        return log.warn({ ...fields, retryInMs }, 'notifier rate limited, waiting as asked');
      default:
        return log.warn({ ...fields, retryInMs }, 'notification failed, will retry');
    }
  }
}
