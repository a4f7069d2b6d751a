import type { FastifyReply, FastifyRequest } from 'fastify';
import { HostpulseError } from '@hostpulse/shared';

// Ingest requests per agent token, as token buckets: each token may send `burst` requests at
// once, refilled at `requestsPerSecond`. One agent replaying a long backlog (or a token copied
// onto a whole fleet) then gets 429 with a Retry-After, while every other agent is served.
// Buckets live in this replica's memory: with N replicas behind a balancer a token may send up
// to N times the rate, which still bounds a runaway agent.

export interface IngestRateLimit {
  /** Sustained requests per second per token; 0 turns the limit off. */
  readonly requestsPerSecond: number;
  /** Requests a token may send at once after being quiet. */
  readonly burst: number;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

export type TakeResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly retryAfterMs: number };

export class TokenBuckets {
  // One entry per token that sent since start; tokens are few (made by an operator), and only
  // authenticated names reach this map, so it needs no eviction.
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limit: IngestRateLimit,
    private readonly now: () => number,
  ) {}

  take(key: string): TakeResult {
    const { requestsPerSecond: rate, burst } = this.limit;
    if (rate <= 0) return { ok: true };
    const nowMs = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: burst, updatedMs: nowMs };
    const refilled = (Math.max(0, nowMs - bucket.updatedMs) / 1000) * rate;
    bucket.tokens = Math.min(burst, bucket.tokens + refilled);
    bucket.updatedMs = nowMs;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: ((1 - bucket.tokens) / rate) * 1000 };
  }
}

/** An onRequest hook for the ingest route; runs after authorize(), which sets request.token. */
export function limitIngest(buckets: TokenBuckets) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const name = request.token?.name;
    if (name === undefined) return;
    const taken = buckets.take(name);
    if (taken.ok) return;
    // Whole seconds, as Retry-After wants; at least 1 so the agent does wait.
    const retryAfterSeconds = Math.max(1, Math.ceil(taken.retryAfterMs / 1000));
    throw new HostpulseError(
      'overloaded',
      `token ${JSON.stringify(name)} sends more than limits.ingest_per_token allows; ` +
        `retry in ${retryAfterSeconds} s`,
      { reason: 'rate_limited', retryAfterSeconds },
    );
  };
}
