import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closedPort,
  makeCertificate,
  runCheck,
  settledConnections,
  startHttp,
  startHttps,
  startSilentListener,
  valueOf,
  type Certificate,
  type Target,
} from './helpers/check-targets.js';

// The http check against real servers on 127.0.0.1: one answering by path (up, 500, slow past
// the timeout), a listener that accepts and never answers, and https with a self-signed
// certificate made by openssl for this run.

const SLOW_MS = 5000;

function answer(request: IncomingMessage, response: ServerResponse): void {
  const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
  if (path === '/healthz') {
    response.end('{"status":"ok","db":"up"}');
  } else if (path === '/broken') {
    response.statusCode = 500;
    response.end('internal error');
  } else if (path === '/slow') {
    const timer = setTimeout(() => response.end('late'), SLOW_MS);
    response.on('close', () => clearTimeout(timer));
  } else if (path === '/moved') {
    response.writeHead(301, { location: '/healthz' }).end();
  } else {
    response.statusCode = 404;
    response.end();
  }
}

let server: Target;
let silent: Target;
let certificate: Certificate;
let secure: Target;

beforeAll(async () => {
  server = await startHttp(answer);
  silent = await startSilentListener();
  certificate = makeCertificate(30);
  secure = await startHttps(answer, certificate);
});

afterAll(async () => {
  await Promise.all([server.close(), silent.close(), secure.close()]);
  certificate.remove();
});

const http = (path: string, extra: object = {}) => ({
  name: 'api',
  type: 'http',
  url: `http://127.0.0.1:${server.port}${path}`,
  ...extra,
});

describe('http check', () => {
  it('is up on the expected status, with its latency', async () => {
    const result = await runCheck(http('/healthz'));
    expect(result.problems).toEqual([]);
    expect(valueOf(result, 'check_up')).toBe(1);
    expect(valueOf(result, 'check_latency_seconds')).toBeGreaterThan(0);
    expect(result.series[0]?.labels).toEqual({ check: 'api', type: 'http' });
  });

  it('is down on another status, saying which', async () => {
    const result = await runCheck(http('/broken'));
    expect(valueOf(result, 'check_up')).toBe(0);
    expect(result.problems).toEqual([
      {
        source: 'check:api',
        message: `GET http://127.0.0.1:${server.port}/broken: status 500, expected 200`,
        check: { name: 'api', type: 'http' },
      },
    ]);
  });

  it('takes another expected status, and does not follow redirects', async () => {
    expect(valueOf(await runCheck(http('/broken', { expect_status: 500 })), 'check_up')).toBe(1);
    const moved = await runCheck(http('/moved'));
    expect(moved.problems[0]?.message).toContain('status 301, expected 200');
  });

  it('matches the body when asked', async () => {
    const found = await runCheck(http('/healthz', { body_match: '"db":"up"' }));
    expect(valueOf(found, 'check_up')).toBe(1);
    const missing = await runCheck(http('/healthz', { body_match: '"db":"down"' }));
    expect(missing.problems[0]?.message).toBe(
      `GET http://127.0.0.1:${server.port}/healthz:` +
        ' the body does not contain "\\"db\\":\\"down\\""',
    );
  });

  it('is down at its timeout when the answer is too slow', async () => {
    const result = await runCheck(http('/slow', { timeout: '300ms' }));
    expect(valueOf(result, 'check_up')).toBe(0);
    expect(result.problems[0]?.message).toBe('timed out after 300ms');
  });

  it('is down at its timeout when the server accepts and never answers', async () => {
    const url = `http://127.0.0.1:${silent.port}/`;
    const result = await runCheck({ name: 'api', type: 'http', url, timeout: '300ms' });
    expect(result.problems[0]?.message).toBe('timed out after 300ms');
    expect(await settledConnections(silent)).toBe(0);
  });

  it('is down when nothing listens, with the connect error', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/`;
    const result = await runCheck({ name: 'api', type: 'http', url });
    expect(result.problems[0]?.message).toContain('ECONNREFUSED');
  });

  it('never puts the password of a URL into its reason', async () => {
    const url = `http://monitor:s3cret@127.0.0.1:${server.port}/broken?token=abc`;
    const result = await runCheck({ name: 'api', type: 'http', url });
    expect(result.problems[0]?.message).toBe(
      `GET http://***@127.0.0.1:${server.port}/broken: status 500, expected 200`,
    );
  });
});

describe('http check over TLS', () => {
  const https = (extra: object = {}) => ({
    name: 'site',
    type: 'http',
    url: `https://127.0.0.1:${secure.port}/healthz`,
    ca_file: certificate.certFile,
    ...extra,
  });

  it('sends the certificate days left', async () => {
    const result = await runCheck(https());
    expect(result.problems).toEqual([]);
    const days = valueOf(result, 'http_tls_certificate_days_left');
    expect(days).toBeGreaterThan(29);
    expect(days).toBeLessThanOrEqual(30);
    const series = result.series.find((s) => s.metric === 'http_tls_certificate_days_left');
    expect(series?.labels).toEqual({ check: 'site' });
  });

  it('is down when the certificate has fewer days left than tls_min_days', async () => {
    const result = await runCheck(https({ tls_min_days: 45 }));
    expect(valueOf(result, 'check_up')).toBe(0);
    expect(result.problems[0]?.message).toBe(
      'the TLS certificate expires in 29 days, under tls_min_days 45',
    );
  });

  it('is down when the certificate is not signed by a trusted CA', async () => {
    const { ca_file: _unused, ...untrusted } = https();
    const result = await runCheck(untrusted);
    expect(valueOf(result, 'check_up')).toBe(0);
    expect(result.problems[0]?.message).toMatch(/self[- ]signed certificate/);
  });
});
