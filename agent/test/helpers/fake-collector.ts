import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { decodeBatch } from '@hostpulse/shared';
import type { hostpulse } from '@hostpulse/proto';

// A real HTTP server on 127.0.0.1 standing in for the collector's ingest and ping routes. Each
// request is decoded with the shared wire codec; `answer` decides the reply per request.

export interface Received {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly batch: hostpulse.v1.Batch | undefined;
}

export interface Reply {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
}

export type Responder = (request: Received, index: number) => Reply;

export interface FakeCollector {
  readonly url: string;
  readonly received: Received[];
  answer: Responder;
  /** While true, ingest requests are recorded and never answered (a collector that hangs). */
  holding: boolean;
  close(): Promise<void>;
}

/** Answers as a healthy collector does: 200 with the ack of the batch's seq. */
export const acknowledge: Responder = (request) => ({
  status: 200,
  body: { seq: request.batch?.seq, acceptedSamples: request.batch?.series.length ?? 0, duplicate: false, serverTimeMs: Date.now() },
});

export async function startFakeCollector(answer: Responder = acknowledge): Promise<FakeCollector> {
  const received: Received[] = [];
  const state = { answer, holding: false };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const gzipped = req.headers['content-encoding'] === 'gzip';
      const batch = req.method === 'POST' ? decodeBatch(body, gzipped, { maxInflatedBytes: 64 * 1024 * 1024 }) : undefined;
      const request = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, batch };
      received.push(request);
      if (state.holding && req.method === 'POST') return;
      const reply = state.answer(request, received.length - 1);
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    get answer() {
      return state.answer;
    },
    set answer(next: Responder) {
      state.answer = next;
    },
    get holding() {
      return state.holding;
    },
    set holding(next: boolean) {
      state.holding = next;
    },
    close: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
