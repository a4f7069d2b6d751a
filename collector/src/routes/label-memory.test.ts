import { describe, expect, it } from 'vitest';
import { HostpulseError } from '@hostpulse/shared';
import { checkBatchLimits } from './batch-limits.js';
import { toIngestBatch } from './ingest-batch.js';
import { LabelMemory } from './label-memory.js';

const host = { env: 'prod', role: 'db' };
const series = (): { metric: string; labels: Record<string, string> }[] => [
  { metric: 'cpu_usage_percent', labels: {} },
  { metric: 'fs_used_bytes', labels: { mount: '/', role: 'root-fs' } },
];

describe('LabelMemory', () => {
  it('merges host and own labels, the own ones winning', () => {
    const merged = new LabelMemory().mergeAll('a', host, series());
    expect(merged).toEqual([{ env: 'prod', role: 'db' }, { env: 'prod', role: 'root-fs', mount: '/' }]);
  });

  it('hands back the same objects while nothing changed, for that agent only', () => {
    const memory = new LabelMemory();
    const first = memory.mergeAll('a', host, series());
    const second = memory.mergeAll('a', { ...host }, series());
    expect(second[0]).toBe(first[0]);
    expect(second[1]).toBe(first[1]);
    expect(memory.mergeAll('b', host, series())[0]).not.toBe(first[0]);
  });

  it('makes new objects where the host labels, a metric, own labels or positions changed', () => {
    const memory = new LabelMemory();
    const first = memory.mergeAll('a', host, series());
    const hostChanged = memory.mergeAll('a', { ...host, env: 'staging' }, series());
    expect(hostChanged[0]).toEqual({ env: 'staging', role: 'db' });

    const base = memory.mergeAll('a', host, series());
    const ownChanged = memory.mergeAll('a', host, [series()[0]!, { metric: 'fs_used_bytes', labels: { mount: '/srv' } }]);
    expect(ownChanged[0]).toBe(base[0]);
    expect(ownChanged[1]).toEqual({ env: 'prod', role: 'db', mount: '/srv' });

    const extraLabel = memory.mergeAll('a', host, [{ metric: 'cpu_usage_percent', labels: { cpu: '0' } }]);
    expect(extraLabel[0]).toEqual({ env: 'prod', role: 'db', cpu: '0' });
    const swapped = memory.mergeAll('a', host, [{ metric: 'load_1m', labels: { cpu: '0' } }]);
    expect(swapped[0]).not.toBe(extraLabel[0]);
    expect(first[1]).toEqual({ env: 'prod', role: 'root-fs', mount: '/' });
  });

  it('skips the checks only for label sets that passed them, never for a refused batch', () => {
    const memory = new LabelMemory();
    const wire = (labels: Record<string, string>, seq: number) => ({
      agentId: 'a', incarnation: 'i', seq, hostName: 'h', labels: host,
      series: [{ metric: 'm', labels, timestampsMs: [Date.now()], values: [1] }],
    });
    const bad = toIngestBatch(wire({ 'bad-name': 'x' }, 1), Date.now(), memory);
    expect(() => checkBatchLimits(bad, memory)).toThrow(HostpulseError);
    const again = toIngestBatch(wire({ 'bad-name': 'x' }, 2), Date.now(), memory);
    expect(again.series[0]!.labels).toBe(bad.series[0]!.labels);
    expect(() => checkBatchLimits(again, memory)).toThrow(/label name "bad-name"/);

    const good = toIngestBatch(wire({ mount: '/' }, 3), Date.now(), memory);
    checkBatchLimits(good, memory);
    expect(memory.passedBefore('a', [good.series[0]!.labels])).toEqual([true]);
    expect(memory.passedBefore('b', [good.series[0]!.labels])).toEqual([false]);
    expect(memory.passedBefore('a', [{ mount: '/' }])).toEqual([false]);
  });
});
