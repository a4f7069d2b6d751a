import { request } from 'undici';
import { cut, type DeliveryResult } from './notifier.js';

// One JSON POST for the HTTP notifiers (slack, webhook), turned into a DeliveryResult. The URL
// may carry a secret (Slack's path, a token in a query), so results name only its origin.

const TIMEOUT_MS = 15_000;

export interface JsonPost {
  readonly url: string;
  /** What results and logs may show of the URL: its origin. */
  readonly origin: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Answers that retrying will not fix. */
  readonly permanent: ReadonlySet<number>;
  readonly signal: AbortSignal;
}

export async function postJson(post: JsonPost): Promise<DeliveryResult> {
  try {
    const res = await request(post.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', ...post.headers },
      body: post.body,
      signal: post.signal,
      headersTimeout: TIMEOUT_MS,
      bodyTimeout: TIMEOUT_MS,
    });
    const reply = cut(await res.body.text());
    const status = res.statusCode;
    if (status >= 200 && status < 300) return { ok: true, status, reply };
    return {
      ok: false,
      status,
      reply,
      error: `${post.origin} answered ${status}`,
      retryAfterMs: status === 429 ? retryAfterMs(res.headers['retry-after']) : undefined,
      permanent: post.permanent.has(status),
    };
  } catch (err) {
    return { ok: false, error: `${post.origin}: ${(err as Error).message}` };
  }
}

/** Retry-After in seconds or as an HTTP date; Slack sends seconds. Missing or odd → 30 s. */
export function retryAfterMs(header: string | string[] | undefined, nowMs = Date.now()): number {
  const text = Array.isArray(header) ? header[0] : header;
  if (text === undefined) return 30_000;
  const seconds = Number(text);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? 30_000 : Math.max(0, at - nowMs);
}
