import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeBatch, encodeBatch, gzipBatch, type Batch } from './wire.js';
import { HostpulseError } from './errors.js';

const limits = { maxInflatedBytes: 1024 * 1024 };

function sample(overrides: Partial<Batch> = {}): Batch {
  return {
    agentId: 'a1',
    hostName: 'web-1',
    agentVersion: '0.1.0',
    incarnation: 'inc-1',
    seq: 7,
    sentAtMs: 1_780_000_000_000,
    labels: { env: 'prod' },
    series: [{ metric: 'load_1m', labels: {}, timestampsMs: [1_780_000_000_000], values: [0.5] }],
    ...overrides,
  };
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof HostpulseError ? err.code : 'not a HostpulseError';
  }
  return undefined;
}

describe('wire codec', () => {
  it('round-trips a batch through gzip, with int64 as plain numbers', () => {
    const decoded = decodeBatch(gzipBatch(encodeBatch(sample())), true, limits);
    expect(decoded.seq).toBe(7);
    expect(typeof decoded.sentAtMs).toBe('number');
    expect(decoded.series[0]?.timestampsMs).toEqual([1_780_000_000_000]);
    expect(decoded.labels).toEqual({ env: 'prod' });
  });

  it('lets a later sent_at override the stored one when appended', () => {
    const stored = encodeBatch(sample({ sentAtMs: 0 }));
    const stamp = encodeBatch({ sentAtMs: 1_790_000_000_000 });
    const body = Buffer.concat([stored, stamp]);
    expect(decodeBatch(body, false, limits).sentAtMs).toBe(1_790_000_000_000);
  });

  it.each([
    ['an empty body', Buffer.alloc(0), false, 'batch_invalid', /empty/],
    ['random bytes', Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x22]), false, 'batch_invalid', /not a protobuf/],
    ['truncated gzip', gzipSync(Buffer.from(encodeBatch(sample()))).subarray(0, 20), true, 'batch_invalid', /cannot be inflated/],
    ['a batch without agent id', Buffer.from(encodeBatch(sample({ agentId: '' }))), false, 'batch_invalid', /agent_id/],
    ['a batch without seq', Buffer.from(encodeBatch(sample({ seq: 0 }))), false, 'batch_invalid', /seq/],
    ['a gzip bomb', gzipSync(Buffer.alloc(4 * 1024 * 1024)), true, 'batch_too_large', /inflates past/],
  ])('refuses %s', (_what, body, gzipped, code, message) => {
    expect(codeOf(() => decodeBatch(body, gzipped, limits))).toBe(code);
    expect(() => decodeBatch(body, gzipped, limits)).toThrow(message);
  });

  it('refuses a series whose timestamps and values do not pair up', () => {
    const bad = sample({ series: [{ metric: 'x', timestampsMs: [1, 2], values: [1] }] });
    expect(() => decodeBatch(Buffer.from(encodeBatch(bad)), false, limits)).toThrow(/2 timestamps but 1 values/);
  });
});
