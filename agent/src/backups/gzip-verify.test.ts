import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backupRoot,
  badCrcGzip,
  gzipDump,
  truncatedGzip,
  type BackupRoot,
} from '../../test/fixtures/backup-folders.js';
import { verifyGzip } from './gzip-verify.js';

// Damaged files are made from a good one (test/fixtures/backup-folders.ts says how).

let root: BackupRoot;
beforeAll(async () => {
  root = await backupRoot();
});
afterAll(() => root.remove());

const good = gzipDump(200_000);
const lengthFlipped = Buffer.from(good);
lengthFlipped[lengthFlipped.length - 1] = (lengthFlipped[lengthFlipped.length - 1] as number) ^ 1;

describe('verifyGzip', () => {
  it.each([
    ['a good gzip', good, { ok: true }],
    ['two gzip members one after the other', Buffer.concat([good, good]), { ok: true }],
    ['an empty file', Buffer.alloc(0), { ok: false, reason: 'empty file (0 bytes)' }],
    [
      'a truncated gzip',
      truncatedGzip(good),
      { ok: false, reason: 'truncated: the gzip stream ends before its trailer' },
    ],
    [
      'a gzip with a bad CRC',
      badCrcGzip(good),
      { ok: false, reason: 'bad CRC: the data does not match the CRC-32 in the gzip trailer' },
    ],
    [
      'a gzip whose trailer length is wrong',
      lengthFlipped,
      { ok: false, reason: 'bad length: the data does not match the length in the gzip trailer' },
    ],
    [
      'plain text',
      Buffer.from('CREATE TABLE t (id int);\n'),
      { ok: false, reason: 'not gzip data (bad header, or other data after the last member)' },
    ],
  ])('%s', async (name, content, expected) => {
    const path = `/backups/${name.replaceAll(' ', '-')}.gz`;
    await root.write(path, content, Date.now());
    expect(await verifyGzip(`${root.rootDir}${path}`)).toEqual(expected);
  });

  it('a file removed before it is verified', async () => {
    expect(await verifyGzip(`${root.rootDir}/backups/gone.gz`)).toEqual({
      ok: false,
      reason: 'the file was removed before it could be verified',
    });
  });
});
