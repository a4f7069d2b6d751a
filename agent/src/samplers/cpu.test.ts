import { afterEach, describe, expect, it } from 'vitest';
import { isHostpulseError } from '@hostpulse/shared';
import { cpuSampler } from './cpu.js';
import { samplerConfig, samplerContext, seriesByKey, snapshotRoot, type SnapshotRoot } from '../../test/fixtures/snapshot-root.js';

let root: SnapshotRoot | undefined;
afterEach(async () => root?.remove());

describe('cpu sampler', () => {
  it('needs two readings, then reports shares of the interval with guest time counted once', async () => {
    // fixtures/basic-host, aggregate lines:
    //   t0: cpu  10000 500 3000 80000 1000 0 200 300 400 0
    //   t1: cpu  10600 500 3300 80900 1100 0 250 350 700 0
    // deltas: user 600, nice 0, system 300, idle 900, iowait 100, irq 0, softirq 50, steal 50,
    // guest 300 (already inside user). total = 600+0+300+900+100+0+50+50 = 2000
    // usage = (2000 − 900 − 100) / 2000 = 50 %; iowait = 100/2000 = 5 %; steal = 50/2000 = 2.5 %
    root = await snapshotRoot('basic-host');
    const sampler = cpuSampler.create(samplerContext(root.rootDir), samplerConfig(cpuSampler));
    expect(await sampler.sample(0)).toEqual({ series: [], problems: [] });
    await root.show('t1');
    const result = await sampler.sample(10_000);
    expect(seriesByKey(result.series)).toEqual({ cpu_usage_percent: 50, cpu_iowait_percent: 5, cpu_steal_percent: 2.5 });
    expect(result.problems).toEqual([]);
  });

  it('follows the aggregate line across CPU hot-plug and skips the interval whose idle went down', async () => {
    root = await snapshotRoot('cpu-hotplug');
    const sampler = cpuSampler.create(samplerContext(root.rootDir), samplerConfig(cpuSampler));
    await sampler.sample(0);

    // t0 → t1: cpu2 and cpu3 lines are gone, the aggregate still grows:
    //   t0: cpu  40000 0 10000 300000 2000 0 1000 0 0 0
    //   t1: cpu  40500 0 10250 300700 2050 0 1000 0 0 0
    // user 500, system 250, idle 700, iowait 50 → total 1500
    // usage = (1500 − 700 − 50)/1500 = 50 %, iowait = 50/1500 = 3.333… %, steal 0
    await root.show('t1');
    const afterUnplug = seriesByKey((await sampler.sample(10_000)).series);
    expect(afterUnplug.cpu_usage_percent).toBe(50);
    expect(afterUnplug.cpu_iowait_percent).toBeCloseTo(100 / 30, 10);
    expect(afterUnplug.cpu_steal_percent).toBe(0);

    // t1 → t2: idle 300700 → 290000 (the unplugged CPUs' idle now comes from another counter):
    // no series for this interval rather than a wrong or negative share.
    await root.show('t2');
    expect(await sampler.sample(20_000)).toEqual({ series: [], problems: [] });

    // t2 → t3: normal again, measured from t2:
    //   t2: cpu  40700 0 10350 290000 2060 0 1000 0 0 0
    //   t3: cpu  41000 0 10450 290500 2060 0 1050 0 0 0
    // user 300, system 100, idle 500, iowait 0, softirq 50 → total 950
    // usage = (950 − 500)/950 = 47.368… %
    await root.show('t3');
    const recovered = seriesByKey((await sampler.sample(30_000)).series);
    expect(recovered.cpu_usage_percent).toBeCloseTo((450 / 950) * 100, 10);
    expect(recovered.cpu_iowait_percent).toBe(0);
  });

  it('throws naming the file and the root when /proc/stat is missing', async () => {
    const sampler = cpuSampler.create(samplerContext('/nonexistent-root'), samplerConfig(cpuSampler));
    const error = await sampler.sample(0).catch((err: unknown) => err);
    expect(isHostpulseError(error, 'internal')).toBe(true);
    expect((error as Error).message).toContain('/nonexistent-root/proc/stat');
    expect((error as Error).message).toContain('ENOENT');
    expect((error as Error).message).toContain('root: /nonexistent-root');
  });

  it('keeps no state between two sampler instances', async () => {
    root = await snapshotRoot('basic-host', 't1');
    const first = cpuSampler.create(samplerContext(root.rootDir), samplerConfig(cpuSampler));
    await first.sample(0);
    const second = cpuSampler.create(samplerContext(root.rootDir), samplerConfig(cpuSampler));
    expect((await second.sample(0)).series).toEqual([]);
  });
});
