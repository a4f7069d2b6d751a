import type { Logger } from '@hostpulse/shared';
import type { Notifier, DeliveryResult } from '../notifiers/notifier.js';
import type { AttemptOutcome, OutboxRow, OutboxUpdate } from './alert-record.js';
import type { AlertStore } from './store/alert-store.js';
import { GIVE_UP_AFTER_MS, retryDelayMs } from './backoff.js';

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
/** A Retry-After of 0 must not turn the worker into a busy loop. */
const MIN_RETRY_AFTER_MS = 1_000;
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
      if (next !== undefined) sleepMs = Math.min(MAX_SLEEP_MS, Math.max(0, next - this.options.now()));
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
    const result: DeliveryResult = notifier
      ? await this.send(notifier, row)
      : { ok: false, error: `notifier ${JSON.stringify(row.notifier)} is no longer configured`, permanent: true };
    await this.record(row, result);
  }

  private async send(notifier: Notifier, row: OutboxRow): Promise<DeliveryResult> {
    try {
      return await notifier.send(row.payload, AbortSignal.timeout(SEND_DEADLINE_MS));
    } catch (err) {
      // A notifier should report failures, not throw; one that does still must not stop the outbox.
      return { ok: false, error: (err as Error).message };
    }
  }

  private async record(row: OutboxRow, result: DeliveryResult): Promise<void> {
    const { store, now } = this.options;
    const timeMs = now();
    const attempts = row.attempts + 1;
    const log = this.options.log.child({ notifier: row.notifier, outboxId: row.id, alertId: row.alertId, kind: row.kind });
    let outcome: AttemptOutcome;
    let update: OutboxUpdate;
    if (result.ok) {
      outcome = 'sent';
      update = { id: row.id, state: 'sent', dueMs: timeMs, lastError: null };
      log.info({ attempts, status: result.status }, 'notification sent');
    } else if (result.permanent || timeMs - row.createdMs >= GIVE_UP_AFTER_MS) {
      outcome = 'abandoned';
      update = { id: row.id, state: 'abandoned', dueMs: timeMs, lastError: result.error ?? null };
      log.error({ attempts, status: result.status, error: result.error }, 'notification abandoned');
    } else if (result.retryAfterMs !== undefined) {
      outcome = 'rate_limited';
      const dueMs = timeMs + Math.max(result.retryAfterMs, MIN_RETRY_AFTER_MS);
      this.pausedUntil.set(row.notifier, dueMs);
      update = { id: row.id, state: 'pending', dueMs, lastError: result.error ?? null };
      log.warn({ attempts, retryInMs: result.retryAfterMs }, 'notifier rate limited, waiting as asked');
    } else {
      outcome = 'failed';
      const retryInMs = retryDelayMs(attempts);
      update = { id: row.id, state: 'pending', dueMs: timeMs + retryInMs, lastError: result.error ?? null };
      log.warn({ attempts, retryInMs, status: result.status, error: result.error }, 'notification failed, will retry');
    }
    const attempt = { outboxId: row.id, timeMs, outcome, status: result.status ?? null, reply: result.reply ?? null, error: result.error ?? null };
    await store.finishAttempt(attempt, update);
  }
}
