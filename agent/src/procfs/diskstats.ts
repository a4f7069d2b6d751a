// /proc/diskstats (Documentation/admin-guide/iostats.rst), one device a line:
//   major minor name reads merged sectors-read ms-reading writes merged sectors-written
//   ms-writing in-flight io-ticks-ms weighted-ms [discard x4 since 4.18] [flush x2 since 5.5]
// Sectors are always 512 bytes here, whatever the device's real sector size. Kernels before
// 2.6.25 wrote partitions with only four counters; such lines carry no io_ticks and are left
// out (they are partitions, which the sampler skips anyway).

export interface DiskCounters {
  readonly device: string;
  readonly sectorsRead: number;
  readonly sectorsWritten: number;
  /** Milliseconds during which the device had I/O in flight. */
  readonly ioTicksMs: number;
}

export const DISKSTATS_SECTOR_BYTES = 512;

export function parseDiskstats(text: string): DiskCounters[] {
  const disks: DiskCounters[] = [];
  for (const line of text.split('\n')) {
    const parts = line.trim().split(/\s+/);
    if (parts.length < 14) continue;
    const sectorsRead = Number(parts[5]);
    const sectorsWritten = Number(parts[9]);
    const ioTicksMs = Number(parts[12]);
    if (!Number.isFinite(sectorsRead) || !Number.isFinite(sectorsWritten) || !Number.isFinite(ioTicksMs)) continue;
    disks.push({ device: parts[2] as string, sectorsRead, sectorsWritten, ioTicksMs });
  }
  return disks;
}

/** The entry for a device in /sys/block: names holding `/` (cciss/c0d0) are written with `!`. */
export function sysBlockName(device: string): string {
  return device.replaceAll('/', '!');
}

// Used only when /sys/block cannot be read (a container without /sys): the usual partition
// names of sd, hd, vd, xvd disks (sda1), and of nvme, mmcblk, loop-style disks (nvme0n1p1).
const PARTITION_NAME = /^(?:(?:[shv]|xv)d[a-z]+\d+|.*\dp\d+)$/;

export function looksLikePartition(device: string): boolean {
  return PARTITION_NAME.test(device);
}
