import { statfs as nodeStatfs } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import type { Loaded } from '@hostpulse/shared';
import type {
  Sampler,
  SampleProblem,
  SamplerContext,
  SamplerDefinition,
  SampleResult,
  SeriesValue,
} from './sampler.js';
import { readSourceFile } from '../procfs/read.js';
import { parseMountinfo, type Mount } from '../procfs/mountinfo.js';
import { selectMounts, type MountFilter } from '../procfs/mount-selection.js';
import { compileGlobList } from '@hostpulse/shared';

// Size and use of every mounted filesystem, as df shows them. Mounts come from a mountinfo
// under the root (see mountinfoPath); each is asked with statfs under ctx.sourceTimeoutMs. A
// statfs that does not answer in time (a hung NFS or CIFS server) marks its mount stalled: it is
// reported as a problem and not asked again while that call is still pending, so calls never
// pile up on a hung mount and one bad mount never costs the others their figures.

/**
 * Which mount table to read. With root `/` it is the agent's own (proc/self): the namespace its
 * statfs calls run in, so systemd's ProtectHome= and the like change both alike. With another
 * root (a container that sees the host's / at /host) the agent's own table lists the
 * container's mounts (/host/boot rather than /boot), so the host's is read instead: that of the
 * host's init, proc/1/mountinfo under the root, whose mount points statfs finds under the root.
 */
export function mountinfoPath(rootDir: string): string {
  return resolve(rootDir) === '/' ? 'proc/self/mountinfo' : 'proc/1/mountinfo';
}

const filesystemConfig = Type.Object({
  exclude_fstypes: Type.Array(Type.String({ minLength: 1 }), {
    // Kernel and virtual filesystems that hold no operator data (close to node_exporter's
    // list). tmpfs and ramfs are memory, already covered by the memory metrics; a host that
    // wants its /run or /dev/shm watched removes tmpfs from this list. overlay and squashfs
    // are container layers and snap images, whose space is the disk below them.
    default: [
      'autofs', 'binfmt_misc', 'bpf', 'cgroup', 'cgroup2', 'configfs', 'debugfs', 'devpts', 'devtmpfs',
      'efivarfs', 'erofs', 'fuse.lxcfs', 'fuse.portal', 'fusectl', 'hugetlbfs', 'iso9660', 'mqueue', 'nsfs',
      'overlay', 'proc', 'procfs', 'pstore', 'ramfs', 'rpc_pipefs', 'securityfs', 'selinuxfs', 'squashfs',
      'sysfs', 'tmpfs', 'tracefs',
    ],
    description: 'filesystem types not to report (exact names as in /proc/*/mountinfo)',
  }),
  exclude_mounts: Type.Array(Type.String({ minLength: 1 }), {
    // `*` crosses `/`, so `/proc/*` covers everything below /proc.
    default: [
      '/proc', '/proc/*', '/sys', '/sys/*', '/dev', '/dev/*', '/run/credentials/*',
      '/var/lib/docker/*', '/var/lib/containers/storage/*',
    ],
    description: 'mount points or globs (* matches any characters, / included) not to report',
  }),
});

export type FilesystemConfig = Loaded<Static<typeof filesystemConfig>>;

/** The statfs figures used here; fs.promises.statfs gives them (f_bsize as bsize). */
export interface FsStats {
  readonly bsize: number;
  readonly blocks: number;
  readonly bfree: number;
  readonly bavail: number;
  readonly files: number;
  readonly ffree: number;
}

export interface FilesystemSamplerDeps {
  readonly statfs: (path: string) => Promise<FsStats>;
}

export const filesystemSampler: SamplerDefinition<typeof filesystemConfig> = {
  name: 'filesystem',
  config: filesystemConfig,
  create: (ctx, config) => createFilesystemSampler(ctx, config, { statfs: (path) => nodeStatfs(path) }),
};

type StatOutcome = { readonly stats: FsStats } | { readonly problem: SampleProblem };

/** The sampler with its statfs passed in, so a test can fake figures and hung mounts. */
export function createFilesystemSampler(
  ctx: SamplerContext,
  config: FilesystemConfig,
  deps: FilesystemSamplerDeps,
): Sampler {
  const excludedFstypes = new Set(config.excludeFstypes);
  const filter: MountFilter = {
    isExcludedFstype: (fstype) => excludedFstypes.has(fstype),
    isExcludedMountPoint: compileGlobList(config.excludeMounts),
  };
  const mountinfo = mountinfoPath(ctx.rootDir);
  // Mount points whose statfs has not answered yet, with the time the call started.
  const stalledSince = new Map<string, number>();

  async function statMount(mount: Mount): Promise<StatOutcome> {
    const { mountPoint } = mount;
    const since = stalledSince.get(mountPoint);
    if (since !== undefined) {
      const waitedSeconds = Math.round((ctx.now() - since) / 1000);
      const waited = `statfs has not answered for ${waitedSeconds} s`;
      const message = `${mountPoint}: stalled, ${waited}; not asked again until it does`;
      return { problem: { source: mountPoint, message } };
    }
    const startedMs = ctx.now();
    // TODO: a hung statfs holds one of libuv's worker threads (4 by default) until the server
    // answers; asking a stalled mount only once bounds this to one thread per hung mount, but
    // four hung mounts would still hold every worker and delay all file reads of the agent.
    // Running statfs in a child process or a larger UV_THREADPOOL_SIZE set by main.ts would lift it.
    const call = deps.statfs(join(ctx.rootDir, mountPoint));
    const outcome = await settleWithin(call, ctx.sourceTimeoutMs);
    if (outcome.kind === 'timeout') {
      stalledSince.set(mountPoint, startedMs);
      const answered = (err?: unknown): void => {
        stalledSince.delete(mountPoint);
        // The late answer is not used (its cycle is over); the next cycle asks afresh.
        ctx.log.info({ mount: mountPoint, stalledMs: ctx.now() - startedMs, err }, 'stalled mount answered');
      };
      call.then(() => answered(), answered);
      const late = `statfs did not answer within ${ctx.sourceTimeoutMs} ms`;
      const message = `${mountPoint}: ${late}; mount stalled, skipped until it answers`;
      return { problem: { source: mountPoint, message } };
    }
    if (outcome.kind === 'error') {
      const reason = (outcome.error as NodeJS.ErrnoException).code ?? (outcome.error as Error).message;
      return { problem: { source: mountPoint, message: `${mountPoint}: statfs failed (${reason})` } };
    }
    return { stats: outcome.value };
  }

  return {
    async sample(): Promise<SampleResult> {
      const mounts = selectMounts(parseMountinfo(await readSourceFile(ctx.rootDir, mountinfo)), filter);
      const outcomes = await Promise.all(mounts.map(statMount));
      const series: SeriesValue[] = [];
      const problems: SampleProblem[] = [];
      mounts.forEach((mount, i) => {
        const outcome = outcomes[i] as StatOutcome;
        if ('problem' in outcome) problems.push(outcome.problem);
        else series.push(...filesystemSeries(mount, outcome.stats));
      });
      return { series, problems };
    },
  };
}

function filesystemSeries(mount: Mount, stats: FsStats): SeriesValue[] {
  const labels = { mount: mount.mountPoint, device: mount.source, fstype: mount.fstype };
  const series: SeriesValue[] = [
    { metric: 'filesystem_size_bytes', labels, value: stats.blocks * stats.bsize },
    { metric: 'filesystem_avail_bytes', labels, value: stats.bavail * stats.bsize },
  ];
  // As df: the blocks reserved for root count neither as used nor as available, and the
  // percentage is of what users can have (used + available), so a disk that users have filled
  // shows 100 % while root still has room.
  // df rounds the percentage up; this is the exact value.
  const usedBlocks = stats.blocks - stats.bfree;
  if (usedBlocks + stats.bavail > 0) {
    const usedPercent = (usedBlocks / (usedBlocks + stats.bavail)) * 100;
    series.push({ metric: 'filesystem_used_percent', labels, value: usedPercent });
  }
  // Some filesystems (btrfs, vfat, many FUSE ones) have no inode table and say 0 files.
  if (stats.files > 0) {
    const inodesPercent = ((stats.files - stats.ffree) / stats.files) * 100;
    series.push({ metric: 'filesystem_inodes_used_percent', labels, value: inodesPercent });
  }
  return series;
}

type Settled<T> = { kind: 'value'; value: T } | { kind: 'error'; error: unknown } | { kind: 'timeout' };

/** Waits for a promise at most timeoutMs; the promise itself keeps running after a timeout. */
async function settleWithin<T>(promise: Promise<T>, timeoutMs: number): Promise<Settled<T>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Settled<T>>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'timeout' }), timeoutMs);
  });
  try {
    return await Promise.race([
      promise.then(
        (value): Settled<T> => ({ kind: 'value', value }),
        (error: unknown): Settled<T> => ({ kind: 'error', error }),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
