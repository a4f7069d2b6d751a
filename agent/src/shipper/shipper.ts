// The shipper: sends buffered batches to the collector, oldest first, back to back while a
// backlog exists, and acts on each answer (SPEC §4).
//
// Invariants:
// - A batch is deleted from the buffer only on a 200 for its own seq; a 400 moves it to dead
//   letters; a 413 replaces it by its halves in one transaction. Every other outcome (network
//   error, timeout, 401/403, 429, 5xx, shutdown) leaves it in the buffer untouched.
// - The stored bytes never change at send time. Each copy sent is the stored encoding followed
//   by the encoding of a Batch holding only sent_at and the carried gaps; protobuf merges
//   concatenated messages, so each copy carries its own send time.
// - One batch is in flight at a time, so acknowledgements arrive in seq order.
//
// TODO: a backlog drains at one batch per round trip, which the collector's storage bounds
// (about 100 batches/s on PostgreSQL, bench/agent-drain.mjs): a 2-hour backlog takes seconds,
// but a full 256 MiB buffer (over 100,000 batches of 2 KiB) about 20 minutes, with fresh
// cycles waiting behind it. Several batches per request would need a repeated Batch in the
// ingest body and a collector that stores them in one transaction.
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeBatch, gzipBatch, type Logger } from '@hostpulse/shared';
import type { BatchBuffer, StoredBatch } from '../buffer/batch-buffer.js';
import { judgeAnswer, type Verdict } from './answer.js';
import { fullJitterDelay, NETWORK_BACKOFF, REFUSED_RETRY_MS, withJitter } from './backoff.js';
import type { CollectorClient, HttpAnswer } from './collector-client.js';
import { describeConnectError } from './connect-error.js';
import { LinkState } from './link-state.js';
import { splitStoredBatch } from './split.js';

export interface ShipperOptions {
  readonly buffer: BatchBuffer;
  readonly client: CollectorClient;
  /** Already bound to { component: 'shipper' }. */
  readonly log: Logger;
  readonly now?: () => number;
  readonly random?: () => number;
}

/** What to do after one attempt: the buffer is empty, go on at once, or pause this long. */
export type NextStep = { readonly kind: 'empty' } | { readonly kind: 'continue' } | { readonly kind: 'pause'; readonly ms: number };

export interface FlushResult {
  readonly sent: number;
  readonly left: number;
}

export class Shipper {
  private readonly link: LinkState;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly stopping = new AbortController();
  private failures = 0;
  private wakePending = false;
  private wakeUp: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: ShipperOptions) {
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.link = new LinkState(options.log, options.client.safeBaseUrl, this.now);
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** A new batch is in the buffer; an idle shipper sends it now (a backing-off one waits). */
  wake(): void {
    this.wakePending = true;
    this.wakeUp?.();
  }

  /** Stops after the attempt in flight (cut short) and resolves when the loop has ended. */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.wakeUp?.();
    await this.loop;
  }

  /** Sends what it can before the deadline, without pausing: the last words of a stopping agent. */
  async flush(deadlineMs: number): Promise<FlushResult> {
    let sent = 0;
    while (this.now() < deadlineMs) {
      const before = this.options.buffer.stats().batches;
      const step = await this.attemptOldest(AbortSignal.timeout(Math.max(1, deadlineMs - this.now())));
      if (step.kind !== 'continue') break;
      if (this.options.buffer.stats().batches < before) sent += 1;
    }
    return { sent, left: this.options.buffer.stats().batches };
  }

  /** One attempt at the oldest batch, with its answer acted upon. */
  async attemptOldest(signal?: AbortSignal): Promise<NextStep> {
    const batch = this.options.buffer.oldest();
    if (!batch) return { kind: 'empty' };
    let answer: HttpAnswer;
    try {
      answer = await this.options.client.postBatch(this.body(batch), signal);
    } catch (err) {
      return this.onNetworkError(err);
    } finally {
      // Synchronously before act(): no cycle can drop the batch between the answer and it.
      this.options.buffer.endSend(batch.seq);
    }
    return this.act(batch, judgeAnswer(answer, batch.seq, this.now()));
  }

  private async run(): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      const step = await this.attemptOldest(signal);
      if (step.kind === 'empty') await this.idle();
      else if (step.kind === 'pause') await sleep(step.ms, undefined, { signal }).catch(() => undefined);
    }
  }

  private idle(): Promise<void> {
    if (this.wakePending || this.stopping.signal.aborted) {
      this.wakePending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.wakeUp = () => {
        this.wakeUp = undefined;
        this.wakePending = false;
        resolve();
      };
    });
  }

  private body(batch: StoredBatch): Uint8Array {
    const gaps = this.options.buffer.beginSend(batch.seq);
    const stamp = encodeBatch({ sentAtMs: this.now(), gaps });
    return gzipBatch(Buffer.concat([batch.payload, stamp]));
  }

  private act(batch: StoredBatch, verdict: Verdict): NextStep {
    const { buffer, log } = this.options;
    switch (verdict.kind) {
      case 'stored':
        buffer.acknowledge(batch.seq);
        this.succeeded();
        log.debug({ seq: batch.seq, duplicate: verdict.duplicate, acceptedSamples: verdict.acceptedSamples }, 'batch acknowledged');
        return { kind: 'continue' };
      case 'rejected':
        buffer.deadLetter(batch.seq, verdict.reason);
        this.succeeded();
        log.error({ seq: batch.seq, reason: verdict.reason, samples: batch.samples }, 'collector rejected a batch; moved it to dead letters');
        return { kind: 'continue' };
      case 'too_large':
        this.succeeded();
        return this.split(batch);
      case 'refused':
        this.link.down('refused', `${verdict.status} ${verdict.reason}`, { status: verdict.status });
        return { kind: 'pause', ms: withJitter(REFUSED_RETRY_MS, this.random) };
      case 'overloaded':
        return this.overloaded(verdict.status, verdict.retryAfterMs);
      case 'failed':
        this.failures += 1;
        this.link.down('failing', verdict.reason);
        return { kind: 'pause', ms: fullJitterDelay(this.failures, NETWORK_BACKOFF, this.random) };
    }
  }

  private split(batch: StoredBatch): NextStep {
    const { buffer, log } = this.options;
    const halves = splitStoredBatch(batch);
    if (!halves) {
      const reason = 'batch_too_large: the collector refused it (413) and it holds one sample, so it cannot be split';
      buffer.deadLetter(batch.seq, reason);
      log.error({ seq: batch.seq, bytes: batch.bytes }, 'batch too large and cannot be split; moved it to dead letters');
      return { kind: 'continue' };
    }
    const seqs = buffer.replace(batch.seq, halves);
    log.warn({ seq: batch.seq, bytes: batch.bytes, newSeqs: seqs }, 'collector found a batch too large; split it in two');
    return { kind: 'continue' };
  }

  private overloaded(status: number, retryAfterMs: number | undefined): NextStep {
    this.failures += 1;
    this.link.down('overloaded', `HTTP ${status}`, { status, retryAfterMs });
    const ms = retryAfterMs === undefined ? fullJitterDelay(this.failures, NETWORK_BACKOFF, this.random) : withJitter(retryAfterMs, this.random);
    return { kind: 'pause', ms };
  }

  private onNetworkError(err: unknown): NextStep {
    if (this.stopping.signal.aborted) return { kind: 'pause', ms: 0 };
    this.failures += 1;
    const code = (err as { code?: string }).code ?? (err as Error).name;
    const why = describeConnectError(err);
    const fields = { err: { message: (err as Error).message, code }, why };
    this.link.down('unreachable', code, fields);
    return { kind: 'pause', ms: fullJitterDelay(this.failures, NETWORK_BACKOFF, this.random) };
  }

  private succeeded(): void {
    this.failures = 0;
    this.link.up();
  }
}
