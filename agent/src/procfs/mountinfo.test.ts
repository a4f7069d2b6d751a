import { describe, expect, it } from 'vitest';
import { decodeMountEscapes, parseMountinfo } from './mountinfo.js';

describe('parseMountinfo', () => {
  it.each([
    [
      'the root line of the build machine (super options shortened)',
      '27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard\n',
      [{ mountId: 27, parentId: 1, device: '254:0', root: '/', mountPoint: '/', fstype: 'ext4', source: '/dev/vda' }],
    ],
    [
      'optional fields before the separator (proc(5) example)',
      '36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 shared:7 - ext3 /dev/root rw,errors=continue',
      [{ mountId: 36, parentId: 35, device: '98:0', root: '/mnt1', mountPoint: '/mnt2', fstype: 'ext3', source: '/dev/root' }],
    ],
    [
      'escaped space in mount point and source',
      '44 27 0:50 / /mnt/my\\040share rw - cifs //server/my\\040share rw',
      [{ mountId: 44, parentId: 27, device: '0:50', root: '/', mountPoint: '/mnt/my share', fstype: 'cifs', source: '//server/my share' }],
    ],
    [
      'fstype with a subtype',
      '50 27 0:60 / /home/u/remote rw - fuse.sshfs u@host:/ rw',
      [{ mountId: 50, parentId: 27, device: '0:60', root: '/', mountPoint: '/home/u/remote', fstype: 'fuse.sshfs', source: 'u@host:/' }],
    ],
    ['a line without the separator is left out', '1 2 3:4 / /x rw ext4 /dev/x rw\n', []],
    ['a truncated line is left out', '1 2 3:4 / /x rw - ext4', []],
    ['empty', '', []],
  ])('%s', (_why, text, expected) => {
    expect(parseMountinfo(text)).toEqual(expected);
  });

  it('does not take a "-" mount point for the separator', () => {
    const [mount] = parseMountinfo('60 27 8:1 / /- rw - ext4 /dev/sda1 rw');
    expect(mount).toMatchObject({ mountPoint: '/-', fstype: 'ext4' });
  });
});

describe('decodeMountEscapes', () => {
  it.each([
    ['/mnt/my\\040disk', '/mnt/my disk'],
    ['/mnt/tab\\011name', '/mnt/tab\tname'],
    ['/mnt/new\\012line', '/mnt/new\nline'],
    ['/mnt/back\\134slash', '/mnt/back\\slash'],
    ['/mnt/a\\040b\\040c', '/mnt/a b c'],
    ['/mnt/plain', '/mnt/plain'],
    ['/mnt/ünïcode', '/mnt/ünïcode'],
  ])('%j → %j', (field, expected) => {
    expect(decodeMountEscapes(field)).toEqual(expected);
  });
});
