import { describe, expect, it } from 'vitest';
import { isHostpulseError } from '@hostpulse/shared';
import { memorySampler } from './memory.js';
import { fixtureRoot, samplerConfig, samplerContext, seriesByKey } from '../../test/fixtures/snapshot-root.js';

describe('memory sampler', () => {
  it('reports MemAvailable semantics and swap use', async () => {
    // fixtures/basic-host/t0/proc/meminfo: MemTotal 16384000 kB, MemAvailable 8192000 kB,
    // SwapTotal 4096000 kB, SwapFree 3072000 kB (1 kB = 1024 bytes)
    // total = 16384000 × 1024 = 16777216000; available = 8192000 × 1024 = 8388608000
    // used = (16384000 − 8192000)/16384000 = 50 %; swap used = (4096000 − 3072000)/4096000 = 25 %
    const sampler = memorySampler.create(samplerContext(fixtureRoot('basic-host/t0')), samplerConfig(memorySampler));
    const result = await sampler.sample(0);
    expect(seriesByKey(result.series)).toEqual({
      memory_total_bytes: 16_777_216_000,
      memory_available_bytes: 8_388_608_000,
      memory_used_percent: 50,
      swap_used_percent: 25,
    });
    expect(result.problems).toEqual([]);
  });

  it('estimates available memory on kernels without MemAvailable, and reports 0 % swap without swap', async () => {
    // fixtures/old-kernel: MemTotal 1024000, MemFree 100000, Buffers 50000, Cached 250000 kB,
    // SwapTotal 0. available ≈ 100000 + 50000 + 250000 = 400000 kB = 409600000 bytes
    // used = (1024000 − 400000)/1024000 = 60.9375 %
    const sampler = memorySampler.create(samplerContext(fixtureRoot('old-kernel')), samplerConfig(memorySampler));
    expect(seriesByKey((await sampler.sample(0)).series)).toEqual({
      memory_total_bytes: 1_048_576_000,
      memory_available_bytes: 409_600_000,
      memory_used_percent: 60.9375,
      swap_used_percent: 0,
    });
  });

  it('throws naming the file when /proc/meminfo is missing', async () => {
    const sampler = memorySampler.create(samplerContext('/nonexistent-root'), samplerConfig(memorySampler));
    const error = await sampler.sample(0).catch((err: unknown) => err);
    expect(isHostpulseError(error, 'internal')).toBe(true);
    expect((error as Error).message).toContain('/nonexistent-root/proc/meminfo');
  });
});
