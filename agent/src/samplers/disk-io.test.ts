import { mkdtemp, rm, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { diskIoSampler } from './disk-io.js';
import {
  fixtureRoot, samplerConfig, samplerContext, seriesByKey, snapshotRoot, testClock, type SnapshotRoot,
} from '../../test/fixtures/snapshot-root.js';

let root: SnapshotRoot | undefined;
const temporary: string[] = [];
afterEach(async () => {
  await root?.remove();
  await Promise.all(temporary.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function twoReadings(situation: string) {
  root = await snapshotRoot(situation);
  const clock = testClock();
  const sampler = diskIoSampler.create(samplerContext(root.rootDir, clock), samplerConfig(diskIoSampler));
  const first = await sampler.sample(clock.now());
  await root.show('t1');
  clock.advance(10_000);
  return { first, second: await sampler.sample(clock.now()) };
}

describe('diskio sampler', () => {
  it('has default excludes for loop, ram, zram, floppy and optical devices', () => {
    expect(samplerConfig(diskIoSampler)).toEqual({ excludeDevices: ['loop*', 'ram*', 'zram*', 'fd*', 'sr*'] });
  });

  it('reports whole disks only, from the second reading on, in 512-byte sectors', async () => {
    // fixtures/basic-host, 10 s (10000 ms) apart. /sys/block holds vda, dm-0, loop0, sr0:
    // partitions vda1, vda2, vda15 are skipped, loop0 and sr0 excluded by default.
    // vda:  sectors read 1000000 → 1020000: 20000 × 512 / 10 = 1024000 B/s
    //       sectors written 2000000 → 2040000: 40000 × 512 / 10 = 2048000 B/s
    //       io_ticks 50000 → 52500: 2500 / 10000 = 25 %
    // dm-0: read 8000 → 8000: 0; written 60000 → 70000: 10000 × 512 / 10 = 512000 B/s
    //       io_ticks 5000 → 17000: 12000 / 10000 = 120 %, capped at 100 %
    const { first, second } = await twoReadings('basic-host');
    expect(first).toEqual({ series: [], problems: [] });
    expect(seriesByKey(second.series)).toEqual({
      'disk_read_bytes_per_second{device=vda}': 1_024_000,
      'disk_write_bytes_per_second{device=vda}': 2_048_000,
      'disk_busy_percent{device=vda}': 25,
      'disk_read_bytes_per_second{device=dm-0}': 0,
      'disk_write_bytes_per_second{device=dm-0}': 512_000,
      'disk_busy_percent{device=dm-0}': 100,
    });
    expect(second.problems).toEqual([]);
  });

  it('reads 32-bit counters passing 2^32 as a wrap', async () => {
    // fixtures/counter-wrap (a 32-bit kernel), 10 s apart, 2^32 = 4294967296:
    // sectors read 4294967000 → 19704: 296 + 19704 = 20000 → 20000 × 512 / 10 = 1024000 B/s
    // sectors written 1000 → 1000: 0
    // io_ticks 4294962296 → 2500: 5000 + 2500 = 7500 ms / 10000 ms = 75 %
    const { second } = await twoReadings('counter-wrap');
    expect(seriesByKey(second.series)).toEqual({
      'disk_read_bytes_per_second{device=sda}': 1_024_000,
      'disk_write_bytes_per_second{device=sda}': 0,
      'disk_busy_percent{device=sda}': 75,
    });
  });

  it('leaves out a value whose counter was reset and keeps the others', async () => {
    // fixtures/counter-reset: sectors read 3000000000 → 2999000000. As a 32-bit wrap that would
    // be 2^32 − 3000000000 + 2999000000 ≈ 4.29e9 sectors in 10 s: implausible, so a reset.
    // sectors written 500 → 600: 100 × 512 / 10 = 5120 B/s; io_ticks 1000 → 3000: 20 %
    const { second } = await twoReadings('counter-reset');
    expect(seriesByKey(second.series)).toEqual({
      'disk_write_bytes_per_second{device=sda}': 5120,
      'disk_busy_percent{device=sda}': 20,
    });
  });

  it('tells partitions by name when /sys/block cannot be read, and says so', async () => {
    // basic-host without sys/: vda1, vda2, vda15 look like partitions; vda and dm-0 do not.
    const dir = await mkdtemp(join(tmpdir(), 'hostpulse-diskio-'));
    temporary.push(dir);
    await cp(join(fixtureRoot('basic-host/t0'), 'proc'), join(dir, 'proc'), { recursive: true });
    const clock = testClock();
    const sampler = diskIoSampler.create(samplerContext(dir, clock), samplerConfig(diskIoSampler));
    const first = await sampler.sample(clock.now());
    expect(first.problems).toEqual([
      { source: join(dir, 'sys/block'), message: expect.stringContaining('telling partitions from disks by name') },
    ]);
    await cp(join(fixtureRoot('basic-host/t1'), 'proc'), join(dir, 'proc'), { recursive: true });
    clock.advance(10_000);
    const devices = new Set((await sampler.sample(clock.now())).series.map((s) => s.labels.device));
    expect([...devices]).toEqual(['vda', 'dm-0']);
  });
});
