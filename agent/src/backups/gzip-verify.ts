import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { failed, passed, readFailure, type VerifyOutcome } from './verification.js';

// `verify: gzip`: decompress the whole file to its end and throw the output away, as `gzip -t`
// does. Only the end of the stream proves a backup complete: the CRC-32 and length in the
// trailer cover every byte, and a dump cut short by a full disk fails only there. Files with
// several gzip members (appended dumps, pigz) are read member after member.

// zlib's messages, in words an operator reads in an alert.
const REASONS: Readonly<Record<string, string>> = {
  'unexpected end of file': 'truncated: the gzip stream ends before its trailer',
  'incorrect data check': 'bad CRC: the data does not match the CRC-32 in the gzip trailer',
  'incorrect length check': 'bad length: the data does not match the length in the gzip trailer',
  'incorrect header check': 'not gzip data (bad header, or other data after the last member)',
};

export async function verifyGzip(path: string): Promise<VerifyOutcome> {
  try {
    if ((await stat(path)).size === 0) return failed('empty file (0 bytes)');
  } catch (err) {
    return readFailure(err);
  }
  const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
  try {
    await pipeline(createReadStream(path), createGunzip(), discard);
    return passed;
  } catch (err) {
    const { message } = err as Error;
    if ((err as NodeJS.ErrnoException).code?.startsWith('Z_')) {
      return failed(REASONS[message] ?? `corrupt gzip data (${message})`);
    }
    return readFailure(err);
  }
}
