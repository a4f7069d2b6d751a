import { randomBytes } from 'node:crypto';
import { open, readFile, unlink, type FileHandle } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { Type } from '@sinclair/typebox';
import { quote } from '@hostpulse/shared';
import type { CheckDefinition } from './check.js';

// Up when a small file can be created in `path`, written, flushed to the device (fsync), read
// back unchanged and deleted; the latency is the time all of that took. A read-only remount, a
// full disk, lost permissions or a hung NFS server all show here before an application fails.
// The read comes from the page cache: it proves the filesystem answers, not the disk's media.
// File calls cannot be cancelled: on a hung mount the runner reports the timeout and starts no
// other run until this one returns, and the file is deleted whenever that happens.

const PROBE_BYTES = 4096;

const storageConfig = Type.Object({
  path: Type.String({ minLength: 1 }),
});

export const storageCheck: CheckDefinition<typeof storageConfig> = {
  type: 'storage',
  config: storageConfig,
  metrics: [],
  validate(config) {
    if (isAbsolute(config.path)) return [];
    return [{ key: 'path', message: `${quote(config.path)} is not an absolute path` }];
  },
  create(_ctx, config) {
    return {
      async run(signal) {
        // A name of its own per run: two agents, or a run left hanging, never share a file.
        const file = join(config.path, `.hostpulse-check-${randomBytes(8).toString('hex')}`);
        const data = randomBytes(PROBE_BYTES);
        const handle = await open(file, 'wx');
        let failure: unknown;
        try {
          await writeAndSync(handle, data);
          signal.throwIfAborted();
          const back = await readFile(file, { signal });
          if (!back.equals(data)) throw new Error(`${file}: what was read back differs`);
        } catch (err) {
          failure = err;
        }
        await removeProbe(file, handle, failure);
        if (failure !== undefined) throw failure;
        return {};
      },
    };
  },
};

async function writeAndSync(handle: FileHandle, data: Buffer): Promise<void> {
  await handle.writeFile(data);
  await handle.sync();
}

/** Closes and deletes the probe; a failure to delete fails the check unless it failed before. */
async function removeProbe(file: string, handle: FileHandle, failure: unknown): Promise<void> {
  try {
    await handle.close();
    await unlink(file);
  } catch (err) {
    if (failure === undefined) throw err;
  }
}
