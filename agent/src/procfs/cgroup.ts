// /proc/<pid>/cgroup and the limit files of cgroup(7). Each line of /proc/self/cgroup is
// `hierarchy-id:controllers:path`; cgroup v2 has one line `0::/path`, v1 one line per hierarchy
// (`4:memory:/docker/abc`, `2:cpu,cpuacct:/docker/abc`). A hybrid host has both kinds.

export interface CgroupMembership {
  /** The v2 path (`0::` line), when there is one. */
  readonly unifiedPath: string | undefined;
  /** v1 controller name → path; a hierarchy with several controllers lists each. */
  readonly v1Paths: ReadonlyMap<string, string>;
}

export function parseProcCgroup(text: string): CgroupMembership {
  let unifiedPath: string | undefined;
  const v1Paths = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (!match) continue;
    const [, id, controllers = '', path = ''] = match;
    if (id === '0' && controllers === '') {
      unifiedPath = path;
      continue;
    }
    for (const controller of controllers.split(',')) if (controller) v1Paths.set(controller, path);
  }
  return { unifiedPath, v1Paths };
}

/**
 * A byte limit: a number, or undefined for "no limit". v2 writes `max`; v1 writes the largest
 * page-aligned 64-bit value (9223372036854771712 on 4 KiB pages), so anything from 2^62 up is
 * taken as unlimited: no machine has that much memory.
 */
export function parseByteLimit(text: string): number | undefined {
  const value = text.trim();
  if (value === 'max') return undefined;
  const bytes = Number(value);
  if (!Number.isFinite(bytes) || bytes < 0) throw new Error(`${quoteShort(value)} is not a limit`);
  return bytes >= 2 ** 62 ? undefined : bytes;
}

/** cgroup v2 cpu.max, `QUOTA PERIOD` in µs (QUOTA `max` when unlimited), as cores. */
export function parseCpuMax(text: string): number | undefined {
  const [quota, period] = text.trim().split(/\s+/);
  if (quota === 'max') return undefined;
  return cores(Number(quota), Number(period), text);
}

/** cgroup v1 cpu.cfs_quota_us (-1 when unlimited) over cpu.cfs_period_us, as cores. */
export function parseCfsQuota(quotaText: string, periodText: string): number | undefined {
  const quota = Number(quotaText.trim());
  if (quota === -1) return undefined;
  return cores(quota, Number(periodText.trim()), `${quotaText.trim()} ${periodText.trim()}`);
}

function cores(quotaUs: number, periodUs: number, text: string): number {
  if (!(quotaUs > 0) || !(periodUs > 0)) throw new Error(`${quoteShort(text)} is not a CPU quota`);
  return quotaUs / periodUs;
}

function quoteShort(text: string): string {
  return JSON.stringify(text.trim().slice(0, 80));
}
