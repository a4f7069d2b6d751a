import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { failed, passed, readFailure, type VerifyOutcome } from './verification.js';

// `verify: sha256`: hash the whole file and compare with FILE.sha256 beside it. That file may
// hold just the digest or `sha256sum` output (`<digest>  <name>`, one line per file); with
// several lines the one naming this file is used.

// A checksum file is a line per file; anything larger is not one.
const MAX_SIDECAR_BYTES = 64 * 1024;
const DIGEST = /^\\?([0-9a-fA-F]{64})(?:\s+\*?(.*))?$/;

export async function verifySha256(path: string): Promise<VerifyOutcome> {
  const sidecar = `${path}.sha256`;
  let text: string;
  try {
    text = await readSmallFile(sidecar);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return failed(`no ${basename(sidecar)} beside it to compare with`);
    return failed(`${basename(sidecar)} cannot be read (${code ?? (err as Error).message})`);
  }
  const expected = expectedDigest(text, basename(path));
  if (expected === undefined) return failed(`${basename(sidecar)} holds no SHA-256 digest`);

  const hash = createHash('sha256');
  try {
    await pipeline(createReadStream(path), hash);
  } catch (err) {
    return readFailure(err);
  }
  const actual = hash.digest('hex');
  if (actual === expected) return passed;
  const short = (digest: string) => `${digest.slice(0, 12)}…`;
  return failed(
    `checksum mismatch: the file's sha256 is ${short(actual)}, ` +
      `${basename(sidecar)} says ${short(expected)}`,
  );
}

/** The digest for `name` in a checksum file's text, lower case; undefined when none. */
export function expectedDigest(text: string, name: string): string | undefined {
  const lines = text.split('\n').map((line) => DIGEST.exec(line.trim())).filter((m) => m !== null);
  const named = lines.find((m) => m[2] !== undefined && basename(m[2]) === name);
  return (named ?? lines[0])?.[1]?.toLowerCase();
}

async function readSmallFile(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(MAX_SIDECAR_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, MAX_SIDECAR_BYTES, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}
