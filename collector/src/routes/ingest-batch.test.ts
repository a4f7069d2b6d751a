import { describe, expect, it } from 'vitest';
import { BatchMessage } from '@hostpulse/shared';
import { countSamples, toIngestBatch } from './ingest-batch.js';

describe('toIngestBatch', () => {
  const wire = BatchMessage.create({
    agentId: 'a1',
    hostName: 'web-1',
    agentVersion: '0.1.0',
    incarnation: 'inc',
    seq: 7,
    sentAtMs: 1_000_000,
    labels: { env: 'prod', role: 'web' },
    intervalMs: 10_000,
    series: [
      { metric: 'filesystem_used_percent', labels: { mount: '/', role: 'db' }, timestampsMs: [1, 2], values: [10, 11] },
      { metric: 'load_1m', timestampsMs: [1], values: [0.5] },
    ],
    events: [{ timeMs: 5, kind: 'check_failed', labels: { check: 'api' }, message: 'refused' }],
    gaps: [{ fromMs: 1, toMs: 2, batches: 3, reason: 'buffer full' }],
    inventory: { os: 'Debian 12', cpuCount: 4, memoryBytes: 8_000_000_000 },
  });

  it('merges host labels under series labels and computes the clock skew', () => {
    const batch = toIngestBatch(wire, 1_000_250);
    expect(batch.clockSkewMs).toBe(250);
    expect(batch.series[0]?.labels).toEqual({ env: 'prod', role: 'db', mount: '/' });
    expect(batch.series[1]?.labels).toEqual({ env: 'prod', role: 'web' });
    expect(batch.events[0]).toEqual({ timeMs: 5, kind: 'check_failed', labels: { env: 'prod', role: 'web', check: 'api' }, message: 'refused' });
    expect(batch.gaps).toEqual([{ fromMs: 1, toMs: 2, batches: 3, reason: 'buffer full' }]);
    expect(batch.inventory).toMatchObject({ os: 'Debian 12', cpuCount: 4, memoryBytes: 8_000_000_000, kernel: '' });
    expect(batch).toMatchObject({ agentId: 'a1', incarnation: 'inc', seq: 7, hostName: 'web-1', intervalMs: 10_000, stopping: false, receivedMs: 1_000_250 });
    expect(countSamples(batch)).toBe(3);
  });

  it('reports no skew when the agent sent no time, and no inventory when absent', () => {
    const batch = toIngestBatch(BatchMessage.create({ agentId: 'a', incarnation: 'i', seq: 1, hostName: 'h' }), 5000);
    expect(batch.clockSkewMs).toBe(0);
    expect(batch.inventory).toBeUndefined();
    expect(batch.series).toEqual([]);
  });
});
