import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchMessage } from '@hostpulse/shared';
import { encoded } from './helpers/batches.js';
import { BACKENDS, startOn } from './helpers/backends.js';
import { call, type TestCollector } from './helpers/collector-server.js';

// limits.series_per_host over real HTTP: the ack of a batch bringing series past the limit
// stores the rest and names the refused series, on each backend.

const PROTOBUF = { 'content-type': 'application/x-protobuf' };

function batchWith(seq: number, mounts: string[]) {
  const t = Date.now() - 10_000;
  return BatchMessage.create({
    agentId: 'limited-agent', hostName: 'limited', agentVersion: '0.1.0', incarnation: 'inc-1', seq,
    sentAtMs: Date.now(), intervalMs: 10_000, labels: { env: 'test' },
    series: mounts.map((mount) => ({
      metric: 'filesystem_used_percent', labels: { mount }, timestampsMs: [t], values: [50],
    })),
  });
}

describe.each(BACKENDS)('series limit on %s', (backend) => {
  let collector: TestCollector;

  beforeAll(async () => {
    collector = await startOn(backend, { yaml: 'limits: { series_per_host: 2 }' });
  });
  afterAll(() => collector?.close());

  it('stores the batch without the series past the limit and names them in the ack', async () => {
    const post = (seq: number, mounts: string[]) =>
      call(`${collector.url}/api/v1/ingest`, {
        method: 'POST', token: collector.tokens.agent, headers: PROTOBUF, body: encoded(batchWith(seq, mounts)),
      });

    const first = await post(1, ['/', '/data']);
    expect(first.json).toMatchObject({ acceptedSamples: 2, duplicate: false });
    expect(first.json.refusedSeries).toBeUndefined();

    const second = await post(2, ['/', '/data', '/srv']);
    expect(second.status).toBe(200);
    expect(second.json).toMatchObject({
      seq: 2,
      acceptedSamples: 2,
      rejectedSamples: 0,
      refusedSamples: 1,
      refusedSeries: [{ metric: 'filesystem_used_percent', labels: { env: 'test', mount: '/srv' } }],
    });
    expect(collector.storage.counters()).toEqual({ refusedSeriesTotal: 1, refusedSamplesTotal: 1 });
  });
});
