import { describe, expect, it } from 'vitest';
import { BatchMessage, encodeBatch } from '@hostpulse/shared';
import { encodeSimBatch, SeriesHeads, type SimSeries } from './sim-encode.js';

const header = {
  agentId: 'a1',
  hostName: 'web-1',
  agentVersion: 'simulate',
  incarnation: 'inc',
  seq: 7,
  sentAtMs: 1_780_000_000_123,
  labels: { env: 'prod' },
  events: [{ timeMs: 1_780_000_000_000, kind: 'check_failed', labels: { check: 'db' }, message: 'down' }],
  intervalMs: 10_000,
};

const decode = (body: Uint8Array) => BatchMessage.toObject(BatchMessage.decode(body), { longs: Number });

describe('encodeSimBatch', () => {
  it('decodes to what protobufjs encodes for the same batch, for times of every varint length', () => {
    const series: SimSeries[] = [
      { metric: 'cpu_usage_percent', labels: {}, timestampsMs: [1_780_000_000_000], values: [12.5] },
      { metric: 'filesystem_avail_bytes', labels: { mountpoint: '/a b', device: 'vda1' },
        timestampsMs: [0, 127, 128, 16_383, 16_384, 2 ** 53 - 1], values: [0, -1.5, 1e300, 3, 4, Number.MIN_VALUE] },
      { metric: 'empty', labels: {}, timestampsMs: [], values: [] },
    ];
    const ours = decode(encodeSimBatch(header, series, new SeriesHeads()));
    const theirs = decode(encodeBatch({ ...header, series: series.map((s) => ({ ...s, timestampsMs: [...s.timestampsMs], values: [...s.values] })) }));
    expect(ours).toEqual(theirs);
    expect(ours.series[1].timestampsMs).toEqual([0, 127, 128, 16_383, 16_384, 2 ** 53 - 1]);
  });

  it('encodes a position again when its metric or labels change, not from the remembered head', () => {
    const heads = new SeriesHeads();
    const at = (metric: string, labels: Record<string, string>) =>
      decode(encodeSimBatch(header, [{ metric, labels, timestampsMs: [1], values: [2] }], heads)).series[0];
    expect(at('m', { a: '1' })).toMatchObject({ metric: 'm', labels: { a: '1' } });
    expect(at('m', { a: '2' })).toMatchObject({ metric: 'm', labels: { a: '2' } });
    expect(at('n', { a: '2' })).toMatchObject({ metric: 'n', labels: { a: '2' } });
    expect(at('n', { a: '2', b: '3' }).labels).toEqual({ a: '2', b: '3' });
  });
});
