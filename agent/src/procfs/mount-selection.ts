import type { Mount } from './mountinfo.js';

// Which mounts the filesystem sampler reports. Every rule here keeps a filesystem from being
// reported twice or from being reported at all when it is not storage an operator manages.

export interface MountFilter {
  readonly isExcludedFstype: (fstype: string) => boolean;
  readonly isExcludedMountPoint: (mountPoint: string) => boolean;
}

/**
 * The mounts to statfs, in mountinfo order:
 * 1. excluded filesystem types and mount points are dropped;
 * 2. a mount point mounted over keeps only its last (visible) mount, since statfs on the path
 *    sees the top one;
 * 3. one mount per device (`major:minor`): bind mounts and the same filesystem mounted twice
 *    report the same statfs figures, so only one is kept, preferring a mount of the
 *    filesystem's own root ("/") over a bind of a subdirectory, then the shortest mount point,
 *    then the first listed.
 */
export function selectMounts(mounts: readonly Mount[], filter: MountFilter): Mount[] {
  const visible = new Map<string, Mount>();
  for (const mount of mounts) {
    if (filter.isExcludedFstype(mount.fstype) || filter.isExcludedMountPoint(mount.mountPoint)) continue;
    visible.delete(mount.mountPoint); // re-insert so the map keeps the order of the top mount
    visible.set(mount.mountPoint, mount);
  }
  const byDevice = new Map<string, Mount>();
  for (const mount of visible.values()) {
    const kept = byDevice.get(mount.device);
    if (kept === undefined || isBetterMount(mount, kept)) byDevice.set(mount.device, mount);
  }
  const chosen = new Set(byDevice.values());
  return mounts.filter((mount) => chosen.has(mount));
}

function isBetterMount(candidate: Mount, kept: Mount): boolean {
  const candidateIsRoot = candidate.root === '/';
  const keptIsRoot = kept.root === '/';
  if (candidateIsRoot !== keptIsRoot) return candidateIsRoot;
  return candidate.mountPoint.length < kept.mountPoint.length;
}
