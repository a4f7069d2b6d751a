import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import type { SampleProblem, SamplerDefinition, SampleResult, SeriesValue } from './sampler.js';
import { readSourceFile } from '../procfs/read.js';
import {
  parseByteLimit,
  parseCfsQuota,
  parseCpuMax,
  parseProcCgroup,
  type CgroupMembership,
} from '../procfs/cgroup.js';

// The container's view: the memory and CPU limits of the agent's own cgroup, and the memory
// it uses, beside the host's view that the memory and cpu samplers read from /proc. A process
// in a container with a 512 MiB limit sees the host's MemTotal in /proc/meminfo; only the
// cgroup says 512 MiB. cgroup v2 (memory.max, memory.current, cpu.max) is read when
// <root>/sys/fs/cgroup is the unified hierarchy; otherwise the v1 memory and cpu hierarchies.
// A limit that is not set sends no limit series; a host whose agent runs in the root cgroup
// (no limit files there) sends nothing, and that is not a problem.

const CGROUP_FS = 'sys/fs/cgroup';

interface CgroupFigures {
  usedBytes?: number;
  memoryLimitBytes?: number;
  cpuLimitCores?: number;
}

const cgroupConfig = Type.Object({});

export const cgroupSampler: SamplerDefinition<typeof cgroupConfig> = {
  name: 'cgroup',
  config: cgroupConfig,
  create(ctx) {
    return {
      async sample(): Promise<SampleResult> {
        const membership = parseProcCgroup(await readSourceFile(ctx.rootDir, 'proc/self/cgroup'));
        const problems: SampleProblem[] = [];
        const figures = await readFigures(ctx.rootDir, membership, (file, err) => {
          const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
          problems.push({ source: file, message: `${file}: ${reason}` });
        });
        return { series: toSeries(figures), problems };
      },
    };
  },
};

type OnProblem = (file: string, err: unknown) => void;

async function readFigures(
  rootDir: string,
  membership: CgroupMembership,
  onProblem: OnProblem,
): Promise<CgroupFigures> {
  const unified = membership.unifiedPath;
  if (unified !== undefined && (await exists(join(rootDir, CGROUP_FS, 'cgroup.controllers')))) {
    const dir = await ownDir(join(rootDir, CGROUP_FS), unified);
    return {
      usedBytes: await readValue(join(dir, 'memory.current'), Number, onProblem),
      memoryLimitBytes: await readValue(join(dir, 'memory.max'), parseByteLimit, onProblem),
      cpuLimitCores: await readValue(join(dir, 'cpu.max'), parseCpuMax, onProblem),
    };
  }
  const figures: CgroupFigures = {};
  const memoryPath = membership.v1Paths.get('memory');
  if (memoryPath !== undefined) {
    const dir = await ownDir(join(rootDir, CGROUP_FS, 'memory'), memoryPath);
    figures.usedBytes = await readValue(join(dir, 'memory.usage_in_bytes'), Number, onProblem);
    const limitFile = join(dir, 'memory.limit_in_bytes');
    figures.memoryLimitBytes = await readValue(limitFile, parseByteLimit, onProblem);
  }
  const cpuPath = membership.v1Paths.get('cpu');
  if (cpuPath !== undefined) {
    // Mounted as cpu,cpuacct by systemd and Docker, as cpu alone elsewhere.
    const base = (await exists(join(rootDir, CGROUP_FS, 'cpu,cpuacct'))) ? 'cpu,cpuacct' : 'cpu';
    const dir = await ownDir(join(rootDir, CGROUP_FS, base), cpuPath);
    const period = await readValue(join(dir, 'cpu.cfs_period_us'), String, onProblem);
    const quotaFile = join(dir, 'cpu.cfs_quota_us');
    if (period !== undefined) {
      const parseQuota = (quota: string) => parseCfsQuota(quota, period);
      figures.cpuLimitCores = await readValue(quotaFile, parseQuota, onProblem);
    }
  }
  return figures;
}

function toSeries(figures: CgroupFigures): SeriesValue[] {
  const { usedBytes, memoryLimitBytes, cpuLimitCores } = figures;
  const series: SeriesValue[] = [];
  const add = (metric: string, value: number | undefined) => {
    if (value !== undefined && Number.isFinite(value)) series.push({ metric, labels: {}, value });
  };
  add('container_memory_used_bytes', usedBytes);
  add('container_memory_limit_bytes', memoryLimitBytes);
  if (usedBytes !== undefined && memoryLimitBytes !== undefined && memoryLimitBytes > 0) {
    add('container_memory_used_percent', (usedBytes / memoryLimitBytes) * 100);
  }
  add('container_cpu_limit_cores', cpuLimitCores);
  return series;
}

/**
 * The agent's cgroup directory. Inside a cgroup namespace (Docker's default on v2) the path is
 * `/` and the mount is the container's own cgroup; without one, a container often has only its
 * own cgroup mounted while /proc/self/cgroup names the full path, which then is not found below
 * the mount: the mount itself is the agent's cgroup.
 */
async function ownDir(mount: string, path: string): Promise<string> {
  const full = join(mount, path);
  return (await exists(full)) ? full : mount;
}

/** A missing file is no figure (the root cgroup has no limit files); other errors are problems. */
async function readValue<T>(
  file: string,
  parse: (text: string) => T | undefined,
  onProblem: OnProblem,
): Promise<T | undefined> {
  try {
    // Synchronous like every /proc and /sys read (procfs/read.ts says why).
    return parse(readFileSync(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') onProblem(file, err);
    return undefined;
  }
}

async function exists(path: string): Promise<boolean> {
  return existsSync(path);
}
