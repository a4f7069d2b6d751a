import { describe, expect, it } from 'vitest';
import { BatchMessage, decodeBatch } from '@hostpulse/shared';
import { createFleet } from './fleet.js';
import { sampleHost, type ModelOptions } from './host-model.js';
import { activeIncidents, incidentOf } from './incidents.js';
import { buildBatch } from './sim-batch.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 11, 1, 9);
const calm: ModelOptions = { seed: 11, perHostPerDay: 0, intervalMs: 10_000 };

// The metric names of SPEC §3.3 that a host without incidents reports.
const SPEC_METRICS = [
  'cpu_usage_percent', 'cpu_iowait_percent', 'cpu_steal_percent', 'load_1m', 'load_5m', 'load_15m',
  'memory_total_bytes', 'memory_available_bytes', 'memory_used_percent', 'swap_used_percent',
  'filesystem_size_bytes', 'filesystem_avail_bytes', 'filesystem_used_percent',
  'filesystem_inodes_used_percent', 'disk_read_bytes_per_second', 'disk_write_bytes_per_second',
  'disk_busy_percent', 'network_receive_bytes_per_second', 'network_transmit_bytes_per_second',
  'network_receive_errors_per_second', 'network_transmit_errors_per_second', 'backup_age_seconds',
  'backup_size_bytes', 'backup_files', 'backup_size_change_percent', 'backup_verified', 'check_up',
  'check_latency_seconds', 'postgres_connections_used_percent', 'postgres_longest_transaction_seconds',
  'postgres_cache_hit_percent', 'redis_memory_used_bytes', 'redis_connected_clients',
  'agent_buffer_batches', 'agent_buffer_bytes', 'agent_buffer_dropped_batches_total',
  'agent_cycle_seconds', 'agent_resident_memory_bytes',
];

function value(samples: ReturnType<typeof sampleHost>['samples'], metric: string, label?: string) {
  const found = samples.find((s) => s.metric === metric && (label === undefined || Object.values(s.labels).includes(label)));
  if (!found) throw new Error(`no ${metric} ${label ?? ''}`);
  return found.value;
}

describe('simulated host', () => {
  const [host] = createFleet({ agents: 1, seed: 11, prefix: 'sim' });
  if (!host) throw new Error('no host');

  it('reports 60 series of SPEC names, each once, with finite values in range', () => {
    const { samples, events } = sampleHost(host, T0, calm);
    expect(samples).toHaveLength(60);
    expect(events).toEqual([]);
    expect(new Set(samples.map((s) => s.metric))).toEqual(new Set(SPEC_METRICS));
    const keys = samples.map((s) => `${s.metric}${JSON.stringify(s.labels)}`);
    expect(new Set(keys).size).toBe(60);
    for (const s of samples) {
      expect(Number.isFinite(s.value), s.metric).toBe(true);
      // A change in percent may be negative (a backup smaller than the last); shares may not.
      if (!s.metric.endsWith('_percent') || s.metric.includes('change')) continue;
      expect(s.value, s.metric).toBeGreaterThanOrEqual(0);
      expect(s.value, s.metric).toBeLessThanOrEqual(100);
    }
  });

  it('gives the same values for the same seed and time, other values for another seed', () => {
    const again = createFleet({ agents: 1, seed: 11, prefix: 'sim' })[0]!;
    expect(sampleHost(again, T0, calm)).toEqual(sampleHost(host, T0, calm));
    const other = createFleet({ agents: 1, seed: 12, prefix: 'sim' })[0]!;
    expect(sampleHost(other, T0, { ...calm, seed: 12 }).samples).not.toEqual(sampleHost(host, T0, calm).samples);
  });

  it('is busier by day than at night and fills its filesystems slowly', () => {
    const dayCpu = value(sampleHost(host, T0 + 5 * HOUR, calm).samples, 'cpu_usage_percent');
    const nightCpu = value(sampleHost(host, T0 + 18 * HOUR, calm).samples, 'cpu_usage_percent');
    expect(dayCpu).toBeGreaterThan(nightCpu + 20);
    const used = (t: number) => value(sampleHost(host, t, calm).samples, 'filesystem_used_percent', '/srv');
    const growthPerDay = used(T0 + 25 * HOUR) - used(T0 + HOUR);
    // A 30-day fill cycle: under a point a day, except on the day of the clean-up.
    expect(Math.abs(growthPerDay)).toBeLessThan(1);
  });

  it('shows its incidents: a filesystem near full, a backup past 26 h, a check down with why', () => {
    const options: ModelOptions = { seed: 3, perHostPerDay: 4, intervalMs: 10_000 };
    const fleet = createFleet({ agents: 40, seed: 3, prefix: 'sim' });
    const window = Math.floor(T0 / (6 * HOUR));
    const seen = new Set<string>();
    for (const h of fleet) {
      const incident = incidentOf(options, h.index, window);
      if (!incident) continue;
      const late = incident.endMs - 60_000;
      const { samples } = sampleHost(h, late, options);
      if (incident.kind === 'disk_fill') {
        const mount = incident.target === 0 ? '/var' : '/srv';
        expect(value(samples, 'filesystem_used_percent', mount)).toBeGreaterThan(95);
      } else if (incident.kind === 'backup_stale') {
        const backup = incident.target === 0 ? 'postgres-nightly' : 'etc-hourly';
        expect(value(samples, 'backup_age_seconds', backup)).toBeGreaterThan(26 * 3600);
      } else {
        const start = sampleHost(h, incident.startMs, options);
        const failed = start.events.find((e) => e.kind === 'check_failed');
        expect(failed?.message).toMatch(/ECONNREFUSED|ETIMEDOUT|502|no answer/);
        expect(start.samples.some((s) => s.metric === 'check_up' && s.value === 0)).toBe(true);
        const during = sampleHost(h, incident.startMs + options.intervalMs, options).events;
        expect(during.filter((e) => e.kind === 'check_failed')).toEqual([]);
        const after = sampleHost(h, incident.endMs, options).events;
        if (activeIncidents(options, h.index, incident.endMs).length === 0) {
          expect(after.map((e) => e.kind)).toContain('check_recovered');
        }
      }
      seen.add(incident.kind);
    }
    expect(seen).toEqual(new Set(['disk_fill', 'backup_stale', 'check_failing']));
  });

  it('becomes a Batch the collector decodes, with growing seq and the inventory first', () => {
    const [h] = createFleet({ agents: 1, seed: 5, prefix: 'demo' });
    const first = buildBatch(h!, [T0], calm);
    const second = buildBatch(h!, [T0 + 10_000, T0 + 20_000], calm);
    const limits = { maxInflatedBytes: 1 << 20 };
    const a = BatchMessage.toObject(decodeBatch(first.body, true, limits), { longs: Number });
    const b = BatchMessage.toObject(decodeBatch(second.body, true, limits), { longs: Number });
    expect([a.agentId, a.seq, b.seq]).toEqual(['demo-00001', 1, 2]);
    expect(a.incarnation).toBe(b.incarnation);
    expect(a.inventory?.cpuCount).toBe(h!.cpuCount);
    expect(b.inventory).toBeUndefined();
    expect([first.samples, second.samples]).toEqual([60, 120]);
    expect(b.series).toHaveLength(60);
    expect(b.series[0]?.timestampsMs).toEqual([T0 + 10_000, T0 + 20_000]);
  });
});
