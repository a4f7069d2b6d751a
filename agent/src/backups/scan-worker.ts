// The part of a folder scan that runs in a worker thread. It reads the folder as a stream
// (opendir, never the whole listing at once) and stats each matching entry with synchronous
// calls, posting what it found in batches; the parent folds the batches (scan.ts).
//
// Why a worker with synchronous calls: 200,000 async stats cost about 2-5 s of round trips
// through libuv's pool of 4 threads, against about 1 s here; and a stat hung on a dead NFS
// server holds this one thread instead of the pool every other file read of the agent needs.
// Why a source string rather than a file: a worker needs a .js file, and the tests run the
// TypeScript sources, where none exists. Keep it plain ES2022 and short; the types it posts are
// declared below and checked where they are received.

export interface ScanWorkerData {
  readonly folder: string;
  /** RegExp source and flags, tested against each entry name. */
  readonly pattern: string;
  readonly flags: string;
  /** Whether names starting with "." may match (only when the pattern itself starts with "."). */
  readonly matchHidden: boolean;
  /** Names ending so are never backups (the FILE.sha256 beside each file), or "" for none. */
  readonly skipSuffix: string;
  readonly batchSize: number;
}

/** [name, mtimeMs, size] of a regular file, reached directly or through a link. */
export type FoundFile = readonly [string, number, number];
/** [name, reason] of a match that is not a usable file. */
export type FoundSkipped = readonly [string, string];

export type ScanWorkerMessage =
  | { readonly kind: 'batch'; readonly files: FoundFile[]; readonly skipped: FoundSkipped[] }
  | { readonly kind: 'done' }
  | { readonly kind: 'failed'; readonly code: string };

export const SCAN_WORKER_SOURCE = `
'use strict';
const { opendirSync, readlinkSync, statSync } = require('node:fs');
const { parentPort, workerData } = require('node:worker_threads');

function scan(data) {
  const matches = new RegExp(data.pattern, data.flags);
  let dir;
  try {
    dir = opendirSync(data.folder, { bufferSize: 256 });
  } catch (err) {
    parentPort.postMessage({ kind: 'failed', code: err.code || err.message });
    return;
  }
  let files = [];
  let skipped = [];
  const flush = () => {
    parentPort.postMessage({ kind: 'batch', files, skipped });
    files = [];
    skipped = [];
  };
  try {
    for (let entry = dir.readSync(); entry !== null; entry = dir.readSync()) {
      const name = entry.name;
      if (!data.matchHidden && name.startsWith('.')) continue;
      if (data.skipSuffix !== '' && name.endsWith(data.skipSuffix)) continue;
      if (!matches.test(name)) continue;
      if (entry.isDirectory()) continue;
      const path = data.folder + '/' + name;
      let stats;
      try {
        stats = statSync(path, { throwIfNoEntry: false });
      } catch (err) {
        skipped.push([name, 'cannot be read (' + (err.code || err.message) + ')']);
        continue;
      }
      if (stats === undefined) {
        // Gone since it was listed, or a link whose target is missing.
        if (entry.isSymbolicLink()) skipped.push([name, 'dangling link to ' + linkTarget(path)]);
        continue;
      }
      if (stats.isFile()) files.push([name, stats.mtimeMs, stats.size]);
      if (files.length + skipped.length >= data.batchSize) flush();
    }
  } finally {
    dir.closeSync();
  }
  flush();
  parentPort.postMessage({ kind: 'done' });
}

function linkTarget(path) {
  try {
    return readlinkSync(path);
  } catch (err) {
    return '(unreadable: ' + (err.code || err.message) + ')';
  }
}

scan(workerData);
`;
