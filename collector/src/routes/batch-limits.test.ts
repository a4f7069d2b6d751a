import { describe, expect, it } from 'vitest';
import type { IngestBatch } from '../storage/storage.js';
import { checkBatchLimits } from './batch-limits.js';

const NOW = Date.UTC(2026, 11, 4, 12);

function batch(change: Partial<IngestBatch> = {}): IngestBatch {
  return {
    agentId: 'agent-1',
    incarnation: 'inc',
    seq: 7,
    hostName: 'web-1',
    agentVersion: '0.1.0',
    hostLabels: {},
    intervalMs: 10_000,
    receivedMs: NOW,
    clockSkewMs: 0,
    stopping: false,
    series: [
      { metric: 'cpu_usage_percent', labels: { env: 'prod' }, timestampsMs: [NOW], values: [1] },
    ],
    events: [],
    gaps: [],
    inventory: undefined,
    ...change,
  };
}

function refusal(change: Partial<IngestBatch>): string {
  try {
    checkBatchLimits(batch(change));
  } catch (err) {
    expect((err as { code: string }).code).toBe('batch_invalid');
    return (err as Error).message;
  }
  return 'accepted';
}

const series = (change: object) => [
  { metric: 'm', labels: {}, timestampsMs: [NOW], values: [1], ...change },
];

describe('checkBatchLimits', () => {
  it('accepts an ordinary batch, and a label value holding a line break', () => {
    expect(refusal({})).toBe('accepted');
    expect(refusal({ series: series({ labels: { note: 'a\r\nb' } }) })).toBe('accepted');
  });

  it.each([
    [{ seq: 2 ** 53 + 10 }, 'batch agent-1/inc/9007199254741002: seq 9007199254741002 is past 2^53'],
    [{ hostName: 'a\u0000b' }, 'host_name "a\\u0000b" holds a control character'],
    [{ hostName: 'evil\nhost' }, 'host_name "evil\\nhost" holds a control character'],
    [{ hostName: 'a\tb' }, 'host_name "a\\tb" holds a control character'],
    [{ hostName: 'h'.repeat(254) }, `host_name "${'h'.repeat(77)}..." is 254 characters long, more than 253`],
    [{ agentId: 'a'.repeat(129) }, `agent_id "${'a'.repeat(77)}..." is 129 characters long, more than 128`],
    [{ incarnation: 'i\u0001' }, 'incarnation "i\\u0001" holds a control character'],
    [{ series: series({ timestampsMs: [0] }) }, 'series[0]: timestamp 0 is before 2000-01-01'],
    [
      { series: series({ timestampsMs: [NOW + 2 * 86_400_000] }) },
      `series[0]: timestamp ${NOW + 2 * 86_400_000} is 2d ahead of the collector's clock; fix the host's clock (NTP)`,
    ],
    [{ series: series({ metric: 'cpu usage' }) }, 'series[0]: metric "cpu usage" is not a metric name'],
    [{ series: series({ labels: { 'a-b': 'x' } }) }, 'series[0]: label name "a-b" is not a label name'],
    [
      { series: series({ labels: { big: 'x'.repeat(1025) } }) },
      'series[0]: label big is 1025 characters long, more than 1024',
    ],
    [{ series: series({ labels: { nul: 'a\u0000' } }) }, 'series[0]: label nul holds a NUL byte'],
    [{ events: [{ timeMs: NOW, kind: 'check', labels: { nul: '\u0000' }, message: 'x' }] }, 'events[0]: label nul holds a NUL byte'],
    [
      { gaps: [{ fromMs: NOW, toMs: NOW - 1, batches: 1, reason: 'full' }] },
      `gaps[0]: from ${NOW} is after to ${NOW - 1}`,
    ],
  ])('refuses %j', (change, message) => {
    expect(refusal(change as Partial<IngestBatch>)).toContain(message);
  });

  it('refuses more than 10,000 series in one batch', () => {
    const many = Array.from({ length: 10_001 }, () => series({})[0]!);
    expect(refusal({ series: many })).toContain('10001 series, more than 10000 in one batch');
  });
});
