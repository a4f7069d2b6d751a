import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { samplers } from '../src/samplers/index.js';
import { cpuSampler } from '../src/samplers/cpu.js';
import { memorySampler } from '../src/samplers/memory.js';
import { filesystemSampler } from '../src/samplers/filesystem.js';
import { parseCpuStat, type CpuTimes } from '../src/procfs/stat.js';
import { parseMeminfo } from '../src/procfs/meminfo.js';
import { samplerConfig, samplerContext, testClock } from './fixtures/snapshot-root.js';
import type { SamplerDefinition, SeriesValue } from '../src/samplers/sampler.js';

// The samplers against this machine's own /proc and mounts, compared with readings taken by
// the test itself around each sample (and with df for filesystems). Linux only.

const ctx = () => samplerContext('/', { now: () => Date.now(), advance: () => undefined });
const valueOf = (series: readonly SeriesValue[], metric: string, labels: Record<string, string> = {}): number => {
  const found = series.find((s) => s.metric === metric && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found === undefined) throw new Error(`no ${metric} ${JSON.stringify(labels)} in ${JSON.stringify(series)}`);
  return found.value;
};

function readCpu(): CpuTimes {
  const times = parseCpuStat(readFileSync('/proc/stat', 'utf8'));
  if (times === undefined) throw new Error('/proc/stat has no aggregate cpu line');
  return times;
}

// Ticks of each kind between two readings: [busy, iowait, steal, total].
function ticks(before: CpuTimes, after: CpuTimes): { busy: number; iowait: number; steal: number; total: number } {
  const d = (k: keyof CpuTimes) => after[k] - before[k];
  const busy = d('user') + d('nice') + d('system') + d('irq') + d('softirq') + d('steal');
  return { busy, iowait: d('iowait'), steal: d('steal'), total: busy + d('idle') + d('iowait') };
}

describe('samplers on this host', () => {
  it('memory agrees with /proc/meminfo read around the sample', async () => {
    const sampler = memorySampler.create(ctx(), samplerConfig(memorySampler));
    const before = parseMeminfo(readFileSync('/proc/meminfo', 'utf8'));
    const { series } = await sampler.sample(Date.now());
    const after = parseMeminfo(readFileSync('/proc/meminfo', 'utf8'));
    const total = before.get('MemTotal') as number;
    expect(valueOf(series, 'memory_total_bytes')).toBe(total);
    // MemAvailable moves while other processes run; 1 % of total covers the microseconds
    // between the three reads on a busy machine.
    const low = Math.min(before.get('MemAvailable') as number, after.get('MemAvailable') as number) - total / 100;
    const high = Math.max(before.get('MemAvailable') as number, after.get('MemAvailable') as number) + total / 100;
    const available = valueOf(series, 'memory_available_bytes');
    expect(available).toBeGreaterThanOrEqual(low);
    expect(available).toBeLessThanOrEqual(high);
    expect(valueOf(series, 'memory_used_percent')).toBeCloseTo(((total - available) / total) * 100, 10);
  });

  it('cpu lies between the shares of /proc/stat readings taken just inside and just outside its interval', async () => {
    const sampler = cpuSampler.create(ctx(), samplerConfig(cpuSampler));
    const outerStart = readCpu();
    await sampler.sample(Date.now());
    const innerStart = readCpu();
    await sleep(1000);
    const innerEnd = readCpu();
    const { series } = await sampler.sample(Date.now());
    const outerEnd = readCpu();
    // Counters only grow, so every kind of tick in the sampler's interval lies between the
    // inner and the outer count; a share lies between smallest part / largest whole and
    // largest part / smallest whole.
    const inner = ticks(innerStart, innerEnd);
    const outer = ticks(outerStart, outerEnd);
    const within = (metric: string, part: 'busy' | 'iowait' | 'steal') => {
      const value = valueOf(series, metric);
      expect(value, metric).toBeGreaterThanOrEqual((inner[part] / outer.total) * 100 - 1e-9);
      expect(value, metric).toBeLessThanOrEqual((outer[part] / inner.total) * 100 + 1e-9);
    };
    within('cpu_usage_percent', 'busy');
    within('cpu_iowait_percent', 'iowait');
    within('cpu_steal_percent', 'steal');
  });

  it('filesystem agrees with df -P -B1 for / within one percentage point', async () => {
    const sampler = filesystemSampler.create(ctx(), samplerConfig(filesystemSampler));
    const { series } = await sampler.sample(Date.now());
    const dfLine = execFileSync('df', ['-P', '-B1', '/'], { encoding: 'utf8' }).trim().split('\n')[1] as string;
    // Filesystem 1-blocks Used Available Capacity Mounted-on
    const [, size, used, avail, capacity] = dfLine.trim().split(/\s+/);
    const labels = { mount: '/' };
    expect(valueOf(series, 'filesystem_size_bytes', labels)).toBe(Number(size));
    const dfPercent = (Number(used) / (Number(used) + Number(avail))) * 100;
    expect(Math.abs(valueOf(series, 'filesystem_used_percent', labels) - dfPercent)).toBeLessThan(1);
    // df rounds its Capacity column up
    expect(Math.abs(valueOf(series, 'filesystem_used_percent', labels) - parseInt(capacity as string, 10))).toBeLessThan(1);
    expect(Math.abs(valueOf(series, 'filesystem_avail_bytes', labels) - Number(avail)) / Number(size)).toBeLessThan(0.01);
  });

  it('every sampler gives finite values and percentages within 0–100 over two readings', async () => {
    const clock = testClock(Date.now());
    for (const definition of samplers as readonly SamplerDefinition[]) {
      const sampler = definition.create(samplerContext('/', clock), samplerConfig(definition));
      await sampler.sample(clock.now());
      clock.advance(200);
      await sleep(200);
      const { series } = await sampler.sample(clock.now());
      for (const { metric, value } of series) {
        expect(Number.isFinite(value), metric).toBe(true);
        expect(value, metric).toBeGreaterThanOrEqual(0);
        if (metric.endsWith('_percent')) expect(value, metric).toBeLessThanOrEqual(100);
      }
    }
  });
});
