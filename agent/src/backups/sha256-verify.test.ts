import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupRoot, sha256Line, type BackupRoot } from '../../test/fixtures/backup-folders.js';
import { expectedDigest, verifySha256 } from './sha256-verify.js';

const A = 'a'.repeat(64);
const B = 'B'.repeat(64);

describe('expectedDigest', () => {
  it.each([
    ['a bare digest', `${A}\n`, A],
    ['sha256sum output', `${A}  db.dump\n`, A],
    ['sha256sum binary mode', `${A} *db.dump\n`, A],
    ['several lines: the one naming it', `${A}  other.dump\n${B}  db.dump\n`, B.toLowerCase()],
    ['several lines, none naming it: the first', `${A}  x\n${B}  y\n`, A],
    ['a path in the line', `${B}  /var/backups/db.dump\n`, B.toLowerCase()],
    ['no digest', 'hello\n', undefined],
    ['a digest too short', `${A.slice(1)}  db.dump\n`, undefined],
  ])('%s', (_name, text, expected) => {
    expect(expectedDigest(text, 'db.dump')).toBe(expected);
  });
});

let root: BackupRoot;
beforeAll(async () => {
  root = await backupRoot();
});
afterAll(() => root.remove());

describe('verifySha256', () => {
  it('passes when FILE.sha256 holds its digest', async () => {
    await root.write('/b/ok.dump', 'dump', Date.now());
    await root.write('/b/ok.dump.sha256', sha256Line('dump', 'ok.dump'), Date.now());
    expect(await verifySha256(`${root.rootDir}/b/ok.dump`)).toEqual({ ok: true });
  });

  // sha256("dump") = b6ca0868bca6…, sha256("other") = d9298a10d1b0… (sha256sum, build machine)
  it('fails with both digests on a mismatch', async () => {
    await root.write('/b/bad.dump', 'dump', Date.now());
    await root.write('/b/bad.dump.sha256', sha256Line('other', 'bad.dump'), Date.now());
    const outcome = await verifySha256(`${root.rootDir}/b/bad.dump`);
    expect(outcome).toEqual({
      ok: false,
      reason:
        "checksum mismatch: the file's sha256 is b6ca0868bca6…, bad.dump.sha256 says d9298a10d1b0…",
    });
  });

  it('fails when FILE.sha256 is missing or holds no digest', async () => {
    await root.write('/b/alone.dump', 'dump', Date.now());
    expect(await verifySha256(`${root.rootDir}/b/alone.dump`)).toEqual({
      ok: false,
      reason: 'no alone.dump.sha256 beside it to compare with',
    });
    await root.write('/b/alone.dump.sha256', 'not a digest\n', Date.now());
    expect(await verifySha256(`${root.rootDir}/b/alone.dump`)).toEqual({
      ok: false,
      reason: 'alone.dump.sha256 holds no SHA-256 digest',
    });
  });
});
