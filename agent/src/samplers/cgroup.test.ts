import { describe, expect, it } from 'vitest';
import { cgroupSampler } from './cgroup.js';
import {
  fixtureRoot, samplerConfig, samplerContext, seriesByKey,
} from '../../test/fixtures/snapshot-root.js';

// Fixture trees written by hand after a Docker container on cgroup v2 (cgroup namespace, so
// /proc/self/cgroup says 0::/), a systemd service without limits, and a Docker container on a
// cgroup v1 host (full path in /proc/self/cgroup, hierarchies mounted per controller).

async function sampleFixture(situation: string) {
  const context = samplerContext(fixtureRoot(situation));
  const sampler = cgroupSampler.create(context, samplerConfig(cgroupSampler));
  return sampler.sample(0);
}

describe('cgroup sampler', () => {
  it('reports the limits of a container on cgroup v2', async () => {
    // memory.max 536870912 (512 MiB), memory.current 134217728 (128 MiB), cpu.max 150000 100000
    const result = await sampleFixture('container-cgroup-v2');
    expect(seriesByKey(result.series)).toEqual({
      container_memory_used_bytes: 134217728,
      container_memory_limit_bytes: 536870912,
      container_memory_used_percent: 25,
      container_cpu_limit_cores: 1.5,
    });
    expect(result.problems).toEqual([]);
  });

  it('sends only the use when no limit is set (a systemd service on cgroup v2)', async () => {
    const result = await sampleFixture('cgroup-v2-unlimited');
    expect(seriesByKey(result.series)).toEqual({ container_memory_used_bytes: 41943040 });
    expect(result.problems).toEqual([]);
  });

  it('reads cgroup v1 hierarchies', async () => {
    // limit_in_bytes 1 GiB, usage 256 MiB, cfs quota 50000 over period 100000
    const result = await sampleFixture('container-cgroup-v1');
    expect(seriesByKey(result.series)).toEqual({
      container_memory_used_bytes: 268435456,
      container_memory_limit_bytes: 1073741824,
      container_memory_used_percent: 25,
      container_cpu_limit_cores: 0.5,
    });
    expect(result.problems).toEqual([]);
  });

  it('throws naming the file when /proc/self/cgroup is missing', async () => {
    await expect(sampleFixture('old-kernel')).rejects.toThrow('old-kernel/proc/self/cgroup');
  });
});
