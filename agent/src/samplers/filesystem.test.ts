import { describe, expect, it } from 'vitest';
import { createFilesystemSampler, filesystemSampler, mountinfoPath, type FsStats } from './filesystem.js';
import { fixtureRoot, samplerConfig, samplerContext, seriesByKey } from '../../test/fixtures/snapshot-root.js';

// statfs is faked: the fixture trees hold mountinfo files, not mounted filesystems.
const stats = (bsize: number, blocks: number, bfree: number, bavail: number, files: number, ffree: number): FsStats =>
  ({ bsize, blocks, bfree, bavail, files, ffree });

/** A statfs answering from a table of mount points under rootDir, recording every call. */
function fakeStatfs(rootDir: string, table: Record<string, FsStats | Promise<FsStats> | Error>) {
  const calls: string[] = [];
  const statfs = async (path: string): Promise<FsStats> => {
    const mountPoint = path.slice(rootDir.length) || '/';
    calls.push(mountPoint);
    const answer = table[mountPoint];
    if (answer === undefined) throw Object.assign(new Error(`no such mount ${mountPoint}`), { code: 'ENOENT' });
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { statfs, calls };
}

const mountsOf = (series: readonly { labels: Readonly<Record<string, string>> }[]) => [...new Set(series.map((s) => s.labels.mount))];

describe('filesystem sampler', () => {
  it('reports size, available space and use as df does', async () => {
    // fixtures/basic-host mountinfo: /proc, /sys, /dev, /dev/pts, /run (tmpfs), /sys/fs/cgroup
    // are excluded by default; /, /boot and /boot/efi remain.
    // /:     bsize 4096, blocks 1000000, bfree 400000, bavail 350000, files 100000, ffree 75000
    //        size = 1000000 × 4096 = 4096000000; avail = 350000 × 4096 = 1433600000
    //        used blocks = 1000000 − 400000 = 600000; used % = 600000/(600000+350000) = 63.157…
    //        inodes used = (100000 − 75000)/100000 = 25 %
    // /boot: bsize 1024, blocks 500000, bfree 400000, bavail 375000, files 0 (no inode table)
    //        size 512000000, avail 384000000, used % = 100000/(100000+375000) = 21.052…
    // /boot/efi: an empty 4 KiB-block vfat: used % = 0/(0+1000) = 0
    const rootDir = fixtureRoot('basic-host/t0');
    const { statfs } = fakeStatfs(rootDir, {
      '/': stats(4096, 1_000_000, 400_000, 350_000, 100_000, 75_000),
      '/boot': stats(1024, 500_000, 400_000, 375_000, 0, 0),
      '/boot/efi': stats(4096, 1000, 1000, 1000, 0, 0),
    });
    const sampler = createFilesystemSampler(samplerContext(rootDir), samplerConfig(filesystemSampler), { statfs });
    const result = await sampler.sample(0);
    const values = seriesByKey(result.series);
    const root = 'mount=/,device=/dev/vda1,fstype=ext4';
    const boot = 'mount=/boot,device=/dev/vda2,fstype=ext4';
    const efi = 'mount=/boot/efi,device=/dev/vda15,fstype=vfat';
    expect(Object.keys(values)).toEqual([
      `filesystem_size_bytes{${root}}`, `filesystem_avail_bytes{${root}}`, `filesystem_used_percent{${root}}`, `filesystem_inodes_used_percent{${root}}`,
      `filesystem_size_bytes{${boot}}`, `filesystem_avail_bytes{${boot}}`, `filesystem_used_percent{${boot}}`,
      `filesystem_size_bytes{${efi}}`, `filesystem_avail_bytes{${efi}}`, `filesystem_used_percent{${efi}}`,
    ]);
    expect(values[`filesystem_size_bytes{${root}}`]).toBe(4_096_000_000);
    expect(values[`filesystem_avail_bytes{${root}}`]).toBe(1_433_600_000);
    expect(values[`filesystem_used_percent{${root}}`]).toBeCloseTo((600_000 / 950_000) * 100, 10);
    expect(values[`filesystem_inodes_used_percent{${root}}`]).toBe(25);
    expect(values[`filesystem_size_bytes{${boot}}`]).toBe(512_000_000);
    expect(values[`filesystem_avail_bytes{${boot}}`]).toBe(384_000_000);
    expect(values[`filesystem_used_percent{${boot}}`]).toBeCloseTo((100_000 / 475_000) * 100, 10);
    expect(values[`filesystem_used_percent{${efi}}`]).toBe(0);
    expect(result.problems).toEqual([]);
  });

  it('decodes escaped mount points and sources, and asks statfs at the decoded path', async () => {
    const rootDir = fixtureRoot('mount-point-with-space');
    const table: Record<string, FsStats> = {};
    for (const point of ['/', '/mnt/backup disk', '/mnt/tab\tname', '/mnt/new\nline', '/mnt/back\\slash', '/mnt/my share']) {
      table[point] = stats(4096, 100, 50, 50, 10, 5);
    }
    const { statfs, calls } = fakeStatfs(rootDir, table);
    const sampler = createFilesystemSampler(samplerContext(rootDir), samplerConfig(filesystemSampler), { statfs });
    const result = await sampler.sample(0);
    expect(result.problems).toEqual([]);
    expect(calls).toEqual(Object.keys(table));
    expect(mountsOf(result.series)).toEqual(Object.keys(table));
    const share = result.series.find((s) => s.labels.mount === '/mnt/my share');
    expect(share?.labels).toEqual({ mount: '/mnt/my share', device: '//server/my share', fstype: 'cifs' });
  });

  it('counts bind mounts and a filesystem mounted twice once, and a mounted-over point by its top mount', async () => {
    // fixtures/bind-mount: /var/lib/app/data is a bind of sda1's /srv/data (sda1 is at /),
    // /mnt/srv-again is sdb1 again (/srv is shorter), /home/shared is the only mount of sdc1,
    // /data holds sdd1 mounted over by sde1.
    const rootDir = fixtureRoot('bind-mount');
    const { statfs, calls } = fakeStatfs(rootDir, {
      '/': stats(4096, 10, 5, 5, 0, 0), '/srv': stats(4096, 10, 5, 5, 0, 0),
      '/home/shared': stats(4096, 10, 5, 5, 0, 0), '/data': stats(4096, 10, 5, 5, 0, 0),
    });
    const sampler = createFilesystemSampler(samplerContext(rootDir), samplerConfig(filesystemSampler), { statfs });
    const result = await sampler.sample(0);
    expect(calls).toEqual(['/', '/srv', '/home/shared', '/data']);
    expect(result.series.find((s) => s.labels.mount === '/data')?.labels.device).toBe('/dev/sde1');
    expect(result.problems).toEqual([]);
  });

  it('leaves out kernel, memory, container and snap filesystems by default', async () => {
    const rootDir = fixtureRoot('pseudo-filesystems');
    const { statfs, calls } = fakeStatfs(rootDir, {
      '/': stats(4096, 10, 5, 5, 10, 5), '/boot/efi': stats(4096, 10, 5, 5, 0, 0), '/mnt/nfs': stats(1_048_576, 10, 5, 5, 10, 5),
    });
    const sampler = createFilesystemSampler(samplerContext(rootDir), samplerConfig(filesystemSampler), { statfs });
    await sampler.sample(0);
    expect(calls).toEqual(['/', '/boot/efi', '/mnt/nfs']);
  });

  it('takes configured exclude lists in place of the defaults', async () => {
    const rootDir = fixtureRoot('pseudo-filesystems');
    const config = samplerConfig(filesystemSampler, { exclude_fstypes: ['nfs4', 'vfat'], exclude_mounts: ['/sys*', '/proc*', '/dev*', '/run/*', '/var/*', '/snap/*'] });
    const { statfs, calls } = fakeStatfs(rootDir, { '/': stats(4096, 10, 5, 5, 10, 5), '/run': stats(4096, 10, 10, 10, 10, 10) });
    const sampler = createFilesystemSampler(samplerContext(rootDir), config, { statfs });
    await sampler.sample(0);
    expect(calls).toEqual(['/run', '/']);
  });

  it('marks a mount whose statfs hangs as stalled, reports the others, and does not ask it again until it answers', async () => {
    const rootDir = fixtureRoot('basic-host/t0');
    let answerBoot: (value: FsStats) => void = () => undefined;
    const hung = new Promise<FsStats>((resolve) => (answerBoot = resolve));
    const { statfs, calls } = fakeStatfs(rootDir, {
      '/': stats(4096, 100, 50, 50, 10, 5), '/boot': hung, '/boot/efi': stats(4096, 10, 10, 10, 0, 0),
    });
    const ctx = samplerContext(rootDir, undefined, 20);
    const sampler = createFilesystemSampler(ctx, samplerConfig(filesystemSampler), { statfs });

    const first = await sampler.sample(0);
    expect(mountsOf(first.series)).toEqual(['/', '/boot/efi']);
    expect(first.problems).toEqual([{ source: '/boot', message: '/boot: statfs did not answer within 20 ms; mount stalled, skipped until it answers' }]);

    const second = await sampler.sample(10_000);
    expect(mountsOf(second.series)).toEqual(['/', '/boot/efi']);
    expect(second.problems).toEqual([{ source: '/boot', message: expect.stringMatching(/^\/boot: stalled, statfs has not answered for \d+ s/) }]);
    expect(calls.filter((c) => c === '/boot')).toHaveLength(1);

    answerBoot(stats(4096, 100, 50, 50, 10, 5));
    await hung;
    await new Promise((resolve) => setImmediate(resolve));
    const third = await sampler.sample(20_000);
    expect(mountsOf(third.series)).toEqual(['/', '/boot', '/boot/efi']);
    expect(third.problems).toEqual([]);
  });

  it('reports a mount whose statfs fails and keeps the rest', async () => {
    const rootDir = fixtureRoot('basic-host/t0');
    const denied = Object.assign(new Error('permission denied'), { code: 'EACCES' });
    const { statfs } = fakeStatfs(rootDir, { '/': stats(4096, 100, 50, 50, 10, 5), '/boot': denied, '/boot/efi': stats(4096, 10, 10, 10, 0, 0) });
    const sampler = createFilesystemSampler(samplerContext(rootDir), samplerConfig(filesystemSampler), { statfs });
    const result = await sampler.sample(0);
    expect(mountsOf(result.series)).toEqual(['/', '/boot/efi']);
    expect(result.problems).toEqual([{ source: '/boot', message: '/boot: statfs failed (EACCES)' }]);
  });

  it("reads the host's mount table, not its own, when the host's / is mounted in a container", async () => {
    // fixtures/container-host-root: proc/1/mountinfo is the host's (/, /srv, a docker overlay);
    // proc/self/mountinfo is the container's (/host, /host/srv), which would give wrong labels
    // and statfs paths like <root>/host/srv.
    const rootDir = fixtureRoot('container-host-root');
    const { statfs, calls } = fakeStatfs(rootDir, { '/': stats(4096, 10, 5, 5, 10, 5), '/srv': stats(4096, 10, 5, 5, 10, 5) });
    const sampler = createFilesystemSampler(samplerContext(rootDir), samplerConfig(filesystemSampler), { statfs });
    const result = await sampler.sample(0);
    expect(calls).toEqual(['/', '/srv']);
    expect(mountsOf(result.series)).toEqual(['/', '/srv']);
  });

  it.each([
    ['/', 'proc/self/mountinfo'],
    ['/host/..', 'proc/self/mountinfo'],
    ['/host', 'proc/1/mountinfo'],
    ['/host/', 'proc/1/mountinfo'],
  ])('with root %j reads %s', (rootDir, expected) => {
    expect(mountinfoPath(rootDir)).toBe(expected);
  });

  it('uses the real statfs when created from the registry', async () => {
    // The fixture's mount points exist only partly under the fixture root: "/" (the fixture
    // folder itself) answers, /boot and /boot/efi are missing and reported as problems.
    const rootDir = fixtureRoot('basic-host/t0');
    const sampler = filesystemSampler.create(samplerContext(rootDir), samplerConfig(filesystemSampler));
    const result = await sampler.sample(0);
    expect(mountsOf(result.series)).toEqual(['/']);
    expect(result.problems.map((p) => p.message)).toEqual(['/boot: statfs failed (ENOENT)', '/boot/efi: statfs failed (ENOENT)']);
  });
});
