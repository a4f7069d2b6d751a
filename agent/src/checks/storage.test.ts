import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@hostpulse/shared';
import { storageCheck } from './storage.js';

// The storage check in a temporary folder of this machine.

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hostpulse-storage-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function create(path: string) {
  return storageCheck.create({ name: 'data', log: silentLogger(), timeoutMs: 5000 }, { path });
}

function run(path: string) {
  return create(path).run(new AbortController().signal);
}

describe('storage check', () => {
  it('writes, syncs, reads back and deletes its file, leaving the folder as it was', async () => {
    writeFileSync(join(dir, 'keep.txt'), 'data');
    await expect(run(dir)).resolves.toEqual({});
    expect(readdirSync(dir)).toEqual(['keep.txt']);
  });

  it('fails with the reason when the folder does not exist', async () => {
    await expect(run(join(dir, 'absent'))).rejects.toThrow(/^ENOENT: no such file or directory/);
  });

  it('fails when the path is a file, not a folder', async () => {
    writeFileSync(join(dir, 'file'), 'x');
    await expect(run(join(dir, 'file'))).rejects.toThrow(/^ENOTDIR/);
  });

  it('stops before reading when its timeout has passed, and still deletes its file', async () => {
    const controller = new AbortController();
    controller.abort(new Error('timed out after 1s'));
    await expect(create(dir).run(controller.signal)).rejects.toThrow('timed out after 1s');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a relative path at load', () => {
    expect(storageCheck.validate?.({ path: 'srv/data' })).toEqual([
      { key: 'path', message: '"srv/data" is not an absolute path' },
    ]);
  });
});
