#!/usr/bin/env python3
"""A FUSE filesystem whose statfs never answers: a hung NFS server, for real, in a test.

Usage: fuse-hang.py MOUNTPOINT
Mounts an empty directory at MOUNTPOINT straight through /dev/fuse and mount(2) (no libfuse
or fusermount needed; root or CAP_SYS_ADMIN is), prints "mounted <dev>" once the kernel has
the mount (dev is major:minor, whose minor names /sys/fs/fuse/connections/<minor>), then
answers INIT, GETATTR and LOOKUP and leaves every STATFS request unanswered, so statfs(2) on
the mount blocks until the connection is aborted. Run it in a private mount namespace
(unshare -m --propagation private) so the mount is never seen outside the test.

The structures are those of <linux/fuse.h> (protocol 7.x); only the fields used are named.
"""
import ctypes
import ctypes.util
import errno
import os
import struct
import sys

FUSE_LOOKUP, FUSE_GETATTR, FUSE_STATFS, FUSE_INIT = 1, 3, 17, 26
FUSE_INTERRUPT, FUSE_DESTROY = 36, 38
IN_HEADER = struct.Struct('<IIQQIIII')  # len, opcode, unique, nodeid, uid, gid, pid, padding
OUT_HEADER = struct.Struct('<IiQ')  # len, error, unique
ROOT_INODE = 1


def attr(ino: int) -> bytes:
    # fuse_attr: ino size blocks atime mtime ctime (u64), the three nsec fields, mode nlink
    # uid gid rdev blksize flags (u32).
    return struct.pack('<QQQQQQIIIIIIIIII', ino, 0, 0, 0, 0, 0, 0, 0, 0,
                       0o040755, 2, 0, 0, 0, 4096, 0)


def reply(fd: int, unique: int, body: bytes = b'', error: int = 0) -> None:
    os.write(fd, OUT_HEADER.pack(OUT_HEADER.size + len(body), error, unique) + body)


def serve(fd: int) -> None:
    buf_size = 1024 * 1024 + 4096
    while True:
        try:
            request = os.read(fd, buf_size)
        except OSError as err:
            # ENODEV: unmounted or aborted, the end. EINTR/ENOENT: a request that went away.
            if err.errno == errno.ENODEV:
                return
            continue
        length, opcode, unique, nodeid = IN_HEADER.unpack_from(request)[:4]
        body = request[IN_HEADER.size:length]
        if opcode == FUSE_INIT:
            major, minor = struct.unpack_from('<II', body)
            # fuse_init_out: major minor max_readahead flags, max_background
            # congestion_threshold (u16), max_write time_gran, max_pages map_alignment
            # (u16), flags2, unused[7].
            out = struct.pack('<IIIIHHIIHHI7I', 7, min(minor, 31), 0, 0, 16, 12,
                              128 * 1024, 1, 0, 0, 0, *([0] * 7))
            reply(fd, unique, out)
        elif opcode == FUSE_GETATTR:
            reply(fd, unique, struct.pack('<QII', 1, 0, 0) + attr(nodeid))
        elif opcode == FUSE_LOOKUP:
            reply(fd, unique, error=-errno.ENOENT)
        elif opcode in (FUSE_STATFS, FUSE_INTERRUPT):
            pass  # the hang: never answered (an interrupt of it is not answered either)
        elif opcode == FUSE_DESTROY:
            reply(fd, unique)
            return
        else:
            reply(fd, unique, error=-errno.ENOSYS)


def device_of(mountpoint: str) -> str:
    with open('/proc/self/mountinfo') as table:
        for line in table:
            fields = line.split()
            if fields[4] == mountpoint:
                device = fields[2]
    return device


def main() -> None:
    mountpoint = sys.argv[1]  # absolute and free of symlinks: it is matched in mountinfo
    fd = os.open('/dev/fuse', os.O_RDWR)
    libc = ctypes.CDLL(ctypes.util.find_library('c'), use_errno=True)
    options = f'fd={fd},rootmode=40000,user_id=0,group_id=0'.encode()
    if libc.mount(b'hung', mountpoint.encode(), b'fuse', 0, options) != 0:
        code = ctypes.get_errno()
        sys.exit(f'fuse-hang: mount {mountpoint} failed: {os.strerror(code)}')
    # From the mount table, not stat(2): a stat would wait for this very process to serve it.
    print(f'mounted {device_of(mountpoint)}', flush=True)
    serve(fd)


if __name__ == '__main__':
    main()
