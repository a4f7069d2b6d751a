import { describe, expect, it } from 'vitest';
import { isHostpulseError } from '@hostpulse/shared';
import { loadSampler } from './load.js';
import { fixtureRoot, samplerConfig, samplerContext, seriesByKey } from '../../test/fixtures/snapshot-root.js';

describe('load sampler', () => {
  it('reports the three load averages as written', async () => {
    // fixtures/basic-host/t0/proc/loadavg: "0.52 1.25 2.50 3/512 12345"
    const sampler = loadSampler.create(samplerContext(fixtureRoot('basic-host/t0')), samplerConfig(loadSampler));
    const result = await sampler.sample(0);
    expect(seriesByKey(result.series)).toEqual({ load_1m: 0.52, load_5m: 1.25, load_15m: 2.5 });
    expect(result.problems).toEqual([]);
  });

  it('throws naming the file when /proc/loadavg is missing', async () => {
    const sampler = loadSampler.create(samplerContext(fixtureRoot('old-kernel')), samplerConfig(loadSampler));
    const error = await sampler.sample(0).catch((err: unknown) => err);
    expect(isHostpulseError(error, 'internal')).toBe(true);
    expect((error as Error).message).toContain('old-kernel/proc/loadavg');
  });
});
