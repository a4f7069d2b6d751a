import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import type { SampleProblem, SamplerDefinition, SampleResult, SeriesValue } from './sampler.js';
import { readSourceFile } from '../procfs/read.js';
import {
  DISKSTATS_SECTOR_BYTES,
  looksLikePartition,
  parseDiskstats,
  sysBlockName,
  type DiskCounters,
} from '../procfs/diskstats.js';
import { counterIncrease, counterRate } from '../procfs/counter.js';
import { compileGlobList } from '@hostpulse/shared';

// Per-disk rates from two readings of /proc/diskstats. Only whole disks are reported, so that
// a partition's I/O is not counted a second time: whole disks are the entries of /sys/block
// (partitions live below their disk there). Device-mapper and md devices are whole devices
// too and are reported: their I/O also passes through the disks under them, but each series is
// labelled by its own device, so nothing is summed twice. Disks that have never done I/O are
// still reported (with 0): an idle disk is a fact, and the exclude list is there for the rest.

const DISKSTATS = 'proc/diskstats';
const SYS_BLOCK = 'sys/block';

// Plausibility bound for counterRate(): 1e11 bytes/s is above any single block device today.
const MAX_SECTORS_PER_SECOND = 1e11 / DISKSTATS_SECTOR_BYTES;
// io_ticks cannot grow faster than the wall clock; twice the elapsed time leaves room for the
// kernel's and our clocks disagreeing, and the result is capped at 100 % anyway.
const MAX_IO_TICKS_PER_MS = 2;

const diskIoConfig = Type.Object({
  exclude_devices: Type.Array(Type.String({ minLength: 1 }), {
    // loop: images already counted on the disk holding them; ram, zram: memory; fd, sr: floppy
    // and optical drives, which appear and vanish with media.
    default: ['loop*', 'ram*', 'zram*', 'fd*', 'sr*'],
    description: 'device names or globs (* and ?) not to report',
  }),
});

interface Reading {
  readonly atMs: number;
  readonly counters: DiskCounters;
}

export const diskIoSampler: SamplerDefinition<typeof diskIoConfig> = {
  name: 'diskio',
  config: diskIoConfig,
  create(ctx, config) {
    const isExcluded = compileGlobList(config.excludeDevices);
    let previous = new Map<string, Reading>();
    return {
      async sample(): Promise<SampleResult> {
        const text = await readSourceFile(ctx.rootDir, DISKSTATS);
        // The time of the read, not of the cycle: an earlier sampler may have taken seconds.
        const atMs = ctx.now();
        const problems: SampleProblem[] = [];
        const isWholeDisk = await wholeDiskTest(ctx.rootDir, problems);
        const current = new Map<string, Reading>();
        const series: SeriesValue[] = [];
        for (const counters of parseDiskstats(text)) {
          if (isExcluded(counters.device) || !isWholeDisk(counters.device)) continue;
          current.set(counters.device, { atMs, counters });
          const before = previous.get(counters.device);
          if (before !== undefined) series.push(...diskSeries(before, { atMs, counters }));
        }
        previous = current;
        return { series, problems };
      },
    };
  },
};

function diskSeries(before: Reading, after: Reading): SeriesValue[] {
  const labels = { device: after.counters.device };
  const elapsedMs = after.atMs - before.atMs;
  const series: SeriesValue[] = [];
  const read = counterRate(before.counters.sectorsRead, after.counters.sectorsRead, elapsedMs, MAX_SECTORS_PER_SECOND);
  if (read !== undefined) series.push({ metric: 'disk_read_bytes_per_second', labels, value: read * DISKSTATS_SECTOR_BYTES });
  const written = counterRate(before.counters.sectorsWritten, after.counters.sectorsWritten, elapsedMs, MAX_SECTORS_PER_SECOND);
  if (written !== undefined) series.push({ metric: 'disk_write_bytes_per_second', labels, value: written * DISKSTATS_SECTOR_BYTES });
  if (elapsedMs > 0) {
    const busyMs = counterIncrease(before.counters.ioTicksMs, after.counters.ioTicksMs, elapsedMs * MAX_IO_TICKS_PER_MS);
    if (busyMs !== undefined) {
      series.push({ metric: 'disk_busy_percent', labels, value: Math.min(100, (busyMs / elapsedMs) * 100) });
    }
  }
  return series;
}

/**
 * Whole disks are the entries of /sys/block. Without /sys (some containers) the sampler falls
 * back on partition names (sda1, nvme0n1p1) and says so, rather than reporting nothing.
 */
async function wholeDiskTest(rootDir: string, problems: SampleProblem[]): Promise<(device: string) => boolean> {
  const dir = join(rootDir, SYS_BLOCK);
  try {
    const entries = new Set(await readdir(dir));
    return (device) => entries.has(sysBlockName(device));
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    problems.push({
      source: dir,
      message: `cannot list ${dir} (${reason}); telling partitions from disks by name instead`,
    });
    return (device) => !looksLikePartition(device);
  }
}
