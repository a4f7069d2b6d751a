import { describe, expect, it } from 'vitest';
import type { Mount } from './mountinfo.js';
import { selectMounts, type MountFilter } from './mount-selection.js';

const mount = (mountPoint: string, device: string, extra: Partial<Mount> = {}): Mount => ({
  mountId: 0, parentId: 0, device, root: '/', mountPoint, fstype: 'ext4', source: '/dev/x', ...extra,
});

const keepAll: MountFilter = { isExcludedFstype: () => false, isExcludedMountPoint: () => false };
const points = (mounts: Mount[]) => mounts.map((m) => m.mountPoint);

describe('selectMounts', () => {
  it.each([
    ['distinct devices are all kept', [mount('/', '8:1'), mount('/home', '8:2')], ['/', '/home']],
    ['a bind of a subdirectory yields to the mount of the root', [mount('/var/lib/app', '8:1', { root: '/srv/app' }), mount('/', '8:1')], ['/']],
    ['the same filesystem mounted twice keeps the shortest mount point', [mount('/mnt/srv-again', '8:17'), mount('/srv', '8:17')], ['/srv']],
    ['equal length keeps the first listed', [mount('/aa', '8:17'), mount('/bb', '8:17')], ['/aa']],
    ['a lone bind of a subdirectory is kept', [mount('/home/shared', '8:33', { root: '/exports' })], ['/home/shared']],
    ['a mount point mounted over keeps the top mount', [mount('/data', '8:49'), mount('/data', '8:65')], ['/data']],
  ])('%s', (_why, mounts, expected) => {
    expect(points(selectMounts(mounts, keepAll))).toEqual(expected);
  });

  it('keeps the device of the top mount when a mount point is mounted over', () => {
    const [kept] = selectMounts([mount('/data', '8:49'), mount('/data', '8:65')], keepAll);
    expect(kept?.device).toBe('8:65');
  });

  it('applies the exclusions before choosing among bind mounts', () => {
    const filter: MountFilter = {
      isExcludedFstype: (fstype) => fstype === 'tmpfs',
      isExcludedMountPoint: (point) => point.startsWith('/var/lib/docker/'),
    };
    const mounts = [
      mount('/run', '0:25', { fstype: 'tmpfs' }),
      mount('/var/lib/docker/x', '8:1'),
      mount('/srv/mirror', '8:1', { root: '/srv' }),
    ];
    expect(points(selectMounts(mounts, filter))).toEqual(['/srv/mirror']);
  });
});
