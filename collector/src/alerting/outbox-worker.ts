import { randomUUID } from 'node:crypto';
import type { Logger } from '@hostpulse/shared';
import type { Notifier } from '../notifiers/notifier.js';
import type { OutboxStore } from './store/outbox-store.js';
import { deliverGroup, type GroupDelivery } from './outbox-group.js';

// Delivers the outbox. Invariants:
// - The worker holds nothing the database does not: a restart, a crash or a notifier down for
//   hours leaves every undelivered row pending, and the next pass picks it up.
// - Rows are sent only under a claim (store/outbox-store.ts), renewed while the send runs, so
//   replicas sharing a database never send one row at the same time, and the rows of a worker
//   that died are due again LEASE_MS later.
// - Per notifier, due rows go out as ONE message: the first notification after a quiet spell
//   goes at once, whatever becomes due during the next GROUP_WINDOW_MS waits and goes together
//   after it. So a notifier gets at most one message per window from each collector, however
//   many alerts fire, and a lone alert is not delayed.
// - Every attempt is recorded with the row's new state (outbox-group.ts); failures retry with
//   backoff and jitter, a 429 pauses that notifier for its Retry-After, permanent failures and
//   rows older than 24 h are abandoned with an error log.
// - Notifiers are served side by side: a slow mail relay does not hold back Slack.

export const GROUP_WINDOW_MS = 2_000;
/** The most notifications in one message; a bigger storm takes one more window per this many. */
export const MAX_GROUP = 1_000;
/** A claim lasts this long unless renewed; a crashed worker's rows wait at most this. */
const LEASE_MS = 15_000;
/** Polls at least this often, for rows written by another replica. */
const MAX_SLEEP_MS = 30_000;

export interface OutboxWorkerOptions {
  readonly store: OutboxStore;
  readonly notifiers: ReadonlyMap<string, Notifier>;
  readonly log: Logger;
  readonly now: () => number;
  /** In [0, 1), for the jitter of retry waits; tests pass a fixed one. */
  readonly random?: (() => number) | undefined;
}

export class OutboxWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private started = false;
  private readonly workerId = randomUUID();
  /** Per notifier: the time of its last send (window) and a 429's end (pause). */
  private readonly lastSendMs = new Map<string, number>();
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

  /** Delivers every group that may go now and resolves when done (idle() and the timer). */
  async drain(): Promise<void> {
    // Wait out a pass already running, then run one of our own: rows stored meanwhile are seen.
    while (this.running) await this.running;
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
    await this.running;
  }

  /** Stops the timer; a send in flight finishes or hits its deadline. */
  async stop(): Promise<void> {
    this.started = false;
    clearTimeout(this.timer);
    while (this.running) await this.running;
  }

  private async loop(): Promise<void> {
    let nextMs = this.options.now() + MAX_SLEEP_MS;
    try {
      for (;;) {
        const plan = await this.plan();
        nextMs = plan.nextMs;
        if (plan.ready.length === 0) break;
        await Promise.all(plan.ready.map((notifier) => this.deliver(notifier)));
      }
    } catch (err) {
      this.options.log.warn({ err }, 'outbox unavailable, will retry');
    }
    this.schedule(nextMs);
  }

  /** Which notifiers may send now, and when the next one may if none can. */
  private async plan(): Promise<{ ready: string[]; nextMs: number }> {
    const nowMs = this.options.now();
    const ready: string[] = [];
    let nextMs = nowMs + MAX_SLEEP_MS;
    for (const { notifier, dueMs } of await this.options.store.dueByNotifier()) {
      const windowEndMs = (this.lastSendMs.get(notifier) ?? -Infinity) + GROUP_WINDOW_MS;
      const atMs = Math.max(dueMs, windowEndMs, this.pausedUntil.get(notifier) ?? 0);
      if (atMs <= nowMs) ready.push(notifier);
      else nextMs = Math.min(nextMs, atMs);
    }
    return { ready, nextMs };
  }

  private async deliver(notifier: string): Promise<void> {
    const { store, notifiers, log, now } = this.options;
    const nowMs = now();
    this.lastSendMs.set(notifier, nowMs);
    const delivery: GroupDelivery = {
      store,
      notifierName: notifier,
      notifier: notifiers.get(notifier),
      log,
      now,
      claim: { by: this.workerId, untilMs: nowMs + LEASE_MS },
      leaseMs: LEASE_MS,
      maxGroup: MAX_GROUP,
      jitter: (this.options.random ?? Math.random)(),
    };
    const pauseUntilMs = await deliverGroup(delivery);
    if (pauseUntilMs !== undefined) this.pausedUntil.set(notifier, pauseUntilMs);
  }

  private schedule(nextMs: number): void {
    if (!this.started) return;
    clearTimeout(this.timer);
    const sleepMs = Math.min(MAX_SLEEP_MS, Math.max(nextMs - this.options.now(), 50));
    this.timer = setTimeout(() => void this.drain(), sleepMs);
    this.timer.unref();
  }
}
