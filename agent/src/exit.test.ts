import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { hasPendingFileRequests } from './exit.js';

// exitProcess itself ends the process; agent/test/hung-mount.test.ts shows it on a real hung
// mount. Here: the check it rests on sees a file request in flight, and not after it returned.
describe('hasPendingFileRequests', () => {
  it('is true while a file read is in flight and false once it returned', async () => {
    const reading = readFile(import.meta.filename);
    expect(hasPendingFileRequests()).toBe(true);
    await reading;
    expect(hasPendingFileRequests()).toBe(false);
  });
});
