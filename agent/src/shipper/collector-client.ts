import { Agent, request, type Dispatcher } from 'undici';
import { safeUrl } from '@hostpulse/shared';

// HTTP to the collector: POST /api/v1/ingest for batches, GET /api/v1/ping for --once. The
// token goes only into the Authorization header; logs see the URL through safeUrl().

export interface CollectorEndpoint {
  readonly url: string;
  readonly token: string | undefined;
  readonly timeoutMs: number;
  /** PEM of a private CA, from collector.ca_file. */
  readonly ca: string | undefined;
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly text: string;
}

// Answers are small JSON documents; a proxy's HTML error page is cut to this for the reason.
const MAX_ANSWER_CHARS = 64 * 1024;

export class CollectorClient {
  private readonly dispatcher: Agent;
  readonly safeBaseUrl: string;

  constructor(readonly endpoint: CollectorEndpoint) {
    this.dispatcher = new Agent({
      connect: { timeout: endpoint.timeoutMs, ...(endpoint.ca === undefined ? {} : { ca: endpoint.ca }) },
      headersTimeout: endpoint.timeoutMs,
      bodyTimeout: endpoint.timeoutMs,
    });
    this.safeBaseUrl = safeUrl(endpoint.url);
  }

  /** Sends one gzipped protobuf body; network errors and timeouts throw. */
  postBatch(gzippedBody: Uint8Array, signal?: AbortSignal): Promise<HttpAnswer> {
    return this.call('POST', 'api/v1/ingest', signal, {
      'content-type': 'application/x-protobuf',
      'content-encoding': 'gzip',
    }, gzippedBody);
  }

  ping(signal?: AbortSignal): Promise<HttpAnswer> {
    return this.call('GET', 'api/v1/ping', signal, { accept: 'application/json' });
  }

  close(): Promise<void> {
    return this.dispatcher.close();
  }

  private async call(
    method: Dispatcher.HttpMethod,
    path: string,
    signal: AbortSignal | undefined,
    headers: Record<string, string>,
    body?: Uint8Array,
  ): Promise<HttpAnswer> {
    // One controller per call, ended by the timeout or the caller's signal; listeners are
    // removed afterwards (AbortSignal.any would keep one per call on a long-lived signal).
    const controller = new AbortController();
    const abort = () => controller.abort(signal?.reason ?? new DOMException('the collector did not answer in time', 'TimeoutError'));
    const timer = setTimeout(abort, this.endpoint.timeoutMs);
    if (signal?.aborted) abort();
    signal?.addEventListener('abort', abort, { once: true });
    const auth: Record<string, string> = this.endpoint.token === undefined ? {} : { authorization: `Bearer ${this.endpoint.token}` };
    try {
      const answer = await request(endpointUrl(this.endpoint.url, path), {
        method,
        headers: { ...headers, ...auth },
        body,
        dispatcher: this.dispatcher,
        signal: controller.signal,
      });
      const text = await answer.body.text();
      return { status: answer.statusCode, headers: flatten(answer.headers), text: text.slice(0, MAX_ANSWER_CHARS) };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', abort);
    }
  }
}

/** Joins an API path onto the collector URL, keeping a path prefix (behind a proxy). */
export function endpointUrl(base: string, path: string): string {
  return new URL(path, base.endsWith('/') ? base : `${base}/`).toString();
}

function flatten(headers: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]));
}
