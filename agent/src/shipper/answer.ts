import { parseRetryAfter } from './backoff.js';
import type { HttpAnswer } from './collector-client.js';

// What a collector answer means for the batch (SPEC §4 table). The shipper acts on the verdict;
// this file only reads the answer.

export type Verdict =
  | { readonly kind: 'stored'; readonly duplicate: boolean; readonly acceptedSamples: number }
  | { readonly kind: 'rejected'; readonly reason: string }
  | { readonly kind: 'refused'; readonly status: number; readonly reason: string }
  | { readonly kind: 'too_large' }
  | { readonly kind: 'overloaded'; readonly status: number; readonly retryAfterMs: number | undefined }
  | { readonly kind: 'failed'; readonly reason: string };

interface Ack {
  seq?: unknown;
  acceptedSamples?: unknown;
  duplicate?: unknown;
}

export function judgeAnswer(answer: HttpAnswer, seq: number, nowMs: number): Verdict {
  const { status } = answer;
  if (status === 200) return judgeAck(answer.text, seq);
  if (status === 400) return { kind: 'rejected', reason: errorReason(answer) };
  if (status === 401 || status === 403) return { kind: 'refused', status, reason: errorReason(answer) };
  if (status === 413) return { kind: 'too_large' };
  if (status === 429 || status === 503) {
    return { kind: 'overloaded', status, retryAfterMs: parseRetryAfter(answer.headers['retry-after'], nowMs) };
  }
  return { kind: 'failed', reason: errorReason(answer) };
}

function judgeAck(text: string, seq: number): Verdict {
  const ack = parseJson(text) as Ack | undefined;
  // A 200 whose body names another seq is not an acknowledgement of this batch (a proxy or a
  // misrouted answer); deleting on it could lose data, so it counts as a failed attempt.
  if (ack?.seq !== undefined && Number(ack.seq) !== seq) {
    return { kind: 'failed', reason: `the collector acknowledged seq ${String(ack.seq)} for seq ${seq}` };
  }
  return {
    kind: 'stored',
    duplicate: ack?.duplicate === true,
    acceptedSamples: typeof ack?.acceptedSamples === 'number' ? ack.acceptedSamples : 0,
  };
}

/** `code: message` from {"error":{"code","message"}}, else the status and the start of the body. */
export function errorReason(answer: HttpAnswer): string {
  const body = parseJson(answer.text) as { error?: { code?: unknown; message?: unknown } } | undefined;
  const error = body?.error;
  if (error && (typeof error.code === 'string' || typeof error.message === 'string')) {
    return [error.code, error.message].filter((part) => typeof part === 'string').join(': ');
  }
  const snippet = answer.text.replace(/\s+/g, ' ').trim().slice(0, 200);
  return snippet ? `HTTP ${answer.status}: ${snippet}` : `HTTP ${answer.status}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Not JSON (a proxy's HTML page, an empty body): callers fall back to the raw text.
    return undefined;
  }
}
