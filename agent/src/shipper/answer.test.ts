import { describe, expect, it } from 'vitest';
import { judgeAnswer } from './answer.js';

const answer = (status: number, body: unknown = '', headers: Record<string, string> = {}) => ({
  status,
  headers,
  text: typeof body === 'string' ? body : JSON.stringify(body),
});

describe('judgeAnswer', () => {
  const now = Date.parse('2026-12-04T12:00:00Z');

  it.each([
    ['200 ack', answer(200, { seq: 7, acceptedSamples: 12, duplicate: true }), { kind: 'stored', duplicate: true, acceptedSamples: 12 }],
    ['200 for another seq', answer(200, { seq: 8 }), { kind: 'failed', reason: 'the collector acknowledged seq 8 for seq 7' }],
    ['400', answer(400, { error: { code: 'batch_invalid', message: 'no seq' } }), { kind: 'rejected', reason: 'batch_invalid: no seq' }],
    ['400 from a proxy', answer(400, '<html>Bad\n Request</html>'), { kind: 'rejected', reason: 'HTTP 400: <html>Bad Request</html>' }],
    ['401', answer(401, { error: { code: 'unauthorized', message: 'unknown token' } }), { kind: 'refused', status: 401, reason: 'unauthorized: unknown token' }],
    ['403', answer(403), { kind: 'refused', status: 403, reason: 'HTTP 403' }],
    ['413', answer(413), { kind: 'too_large' }],
    ['429 with seconds', answer(429, '', { 'retry-after': '5' }), { kind: 'overloaded', status: 429, retryAfterMs: 5000 }],
    ['503 without Retry-After', answer(503), { kind: 'overloaded', status: 503, retryAfterMs: undefined }],
    ['500', answer(500, { error: { code: 'internal', message: 'boom' } }), { kind: 'failed', reason: 'internal: boom' }],
  ])('reads %s', (_what, given, expected) => {
    expect(judgeAnswer(given, 7, now)).toEqual(expected);
  });
});
