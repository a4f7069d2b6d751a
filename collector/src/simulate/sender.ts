import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { HostpulseError } from '@hostpulse/shared';
import { LatencyHistogram } from './latency.js';
import type { SimBatch } from './sim-batch.js';

// Pushes simulated batches over the real ingest API, as agents do (SPEC §4): the same body is
// resent after 429/503 (waiting what Retry-After asks) or a network error, so exactly-once
// storage is exercised, never bypassed. 401/403 end the run: no batch could ever be stored.

const MAX_ATTEMPTS = 10;
const NETWORK_RETRY_MS = [250, 500, 1000, 2000, 5000] as const;
const DEFAULT_RETRY_AFTER_MS = 1000;

export interface SendStats {
  batches: number;
  duplicates: number;
  samples: number;
  retries: number;
  /** Batches the collector refused (400, 413) or that never got through. */
  failed: number;
  firstFailure: string | undefined;
  readonly latency: LatencyHistogram;
}

export interface SenderOptions {
  readonly url: string;
  readonly token: string;
  readonly connections: number;
  readonly timeoutMs: number;
  /** Ends waits between retries early when the run is stopped. */
  readonly signal: AbortSignal;
  /**
   * Also cuts requests in flight when the signal fires. The run's own sends let them finish
   * (each is bounded by timeoutMs); the goodbyes' deadline must hold whatever the collector does.
   */
  readonly abortsRequests?: boolean;
}

export class Sender {
  readonly stats: SendStats = {
    batches: 0,
    duplicates: 0,
    samples: 0,
    retries: 0,
    failed: 0,
    firstFailure: undefined,
    latency: new LatencyHistogram(),
  };
  private readonly pool: Pool;
  private readonly path: string;

  constructor(private readonly options: SenderOptions) {
    const url = new URL(options.url);
    this.path = `${url.pathname.replace(/\/$/, '')}/api/v1/ingest`;
    this.pool = new Pool(url.origin, {
      connections: options.connections,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
  }

  /** Sends one batch until it is acknowledged or given up; throws only on 401/403. */
  async send(batch: SimBatch): Promise<void> {
    let attempts = 0;
    while (attempts < MAX_ATTEMPTS) {
      attempts++;
      const waitMs = await this.attempt(batch, attempts);
      if (waitMs === undefined) return;
      if (this.options.signal.aborted || attempts === MAX_ATTEMPTS) break;
      this.stats.retries++;
      await sleep(waitMs, undefined, { signal: this.options.signal }).catch(() => undefined);
    }
    const stopped = this.options.signal.aborted ? ', then stopped' : '';
    this.fail(batch, `no acknowledgement after ${attempts} attempt(s)${stopped}`);
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  /** One request; undefined when the batch is settled, else how long to wait before the next. */
  private async attempt(batch: SimBatch, attempt: number): Promise<number | undefined> {
    const started = performance.now();
    let status: number;
    let text: string;
    let retryAfter: string | undefined;
    try {
      const answer = await this.pool.request({
        path: this.path,
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.options.token}`,
          'content-type': 'application/x-protobuf',
          'content-encoding': 'gzip',
        },
        body: batch.body,
        ...(this.options.abortsRequests ? { signal: this.options.signal } : {}),
      });
      status = answer.statusCode;
      text = await answer.body.text();
      retryAfter = headerOf(answer.headers['retry-after']);
    } catch (err) {
      const index = Math.min(attempt, NETWORK_RETRY_MS.length) - 1;
      this.noteFailure(batch, (err as Error).message);
      return NETWORK_RETRY_MS[index];
    }

    if (status === 200) {
      this.stats.latency.record(performance.now() - started);
      this.acknowledge(batch, text);
      return undefined;
    }
    if (status === 429 || status === 503) return retryAfterMs(retryAfter);
    if (status === 401 || status === 403) {
      const message = `the collector refused the token (HTTP ${status}: ${reasonOf(text)})`;
      throw new HostpulseError('unauthorized', message);
    }
    this.fail(batch, `HTTP ${status}: ${reasonOf(text)}`);
    return undefined;
  }

  private acknowledge(batch: SimBatch, text: string): void {
    const ack = JSON.parse(text) as { duplicate?: boolean; acceptedSamples?: number };
    if (ack.duplicate === true) {
      this.stats.duplicates++;
      return;
    }
    this.stats.batches++;
    this.stats.samples += ack.acceptedSamples ?? 0;
  }

  private fail(batch: SimBatch, reason: string): void {
    this.stats.failed++;
    this.noteFailure(batch, reason);
  }

  private noteFailure(batch: SimBatch, reason: string): void {
    this.stats.firstFailure ??= `${batch.host.agentId} seq ${batch.seq}: ${reason}`;
  }
}

/** Retry-After as seconds or an HTTP date; missing or unreadable → 1 s. */
export function retryAfterMs(header: string | undefined, nowMs = Date.now()): number {
  if (header === undefined || header.trim() === '') return DEFAULT_RETRY_AFTER_MS;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, date - nowMs) : DEFAULT_RETRY_AFTER_MS;
}

function headerOf(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function reasonOf(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
    if (body.error) return `${body.error.code ?? ''}: ${body.error.message ?? ''}`;
  } catch {
    // Not JSON (a proxy's page): the start of the raw text says enough.
  }
  return text.replace(/\s+/g, ' ').slice(0, 200);
}
