import { Worker } from 'node:worker_threads';
import { FileSummary } from './file-summary.js';
import { SCAN_WORKER_SOURCE, type ScanWorkerData, type ScanWorkerMessage } from './scan-worker.js';

// One scan of a backup folder, run in a worker thread (see scan-worker.ts). Memory stays flat
// however large the folder: entries arrive in batches and are folded into a FileSummary, which
// keeps a count and the few newest files. The caller decides how long to wait (backup-watch.ts);
// a scan it stops waiting for goes on, and its result is used when it comes.

export interface ScanRequest {
  /** The folder as the agent sees it (under the configured root). */
  readonly folder: string;
  /** Tested against each file name. */
  readonly pattern: RegExp;
  readonly matchHidden: boolean;
  readonly skipSuffix: string;
  /** Files modified after this are dated in the future (FileSummary.addFile). */
  readonly futureAfterMs: number;
}

export type ScanOutcome =
  | { readonly kind: 'scanned'; readonly summary: FileSummary }
  /** The folder could not be read: ENOENT, ENOTDIR, EACCES, or an error while listing. */
  | { readonly kind: 'failed'; readonly code: string };

export interface RunningScan {
  /** Settles when the scan is done; never rejects. */
  readonly done: Promise<ScanOutcome>;
  /** Ends the scan (a reload, the agent stopping); a call it is blocked in still finishes. */
  stop(): void;
}

const BATCH_SIZE = 1000;
// The worker keeps no more than one batch; a cap keeps a bug there from taking the host's memory.
const WORKER_HEAP_MB = 32;

export function startScan(request: ScanRequest): RunningScan {
  const workerData: ScanWorkerData = {
    folder: request.folder,
    pattern: request.pattern.source,
    flags: request.pattern.flags,
    matchHidden: request.matchHidden,
    skipSuffix: request.skipSuffix,
    batchSize: BATCH_SIZE,
  };
  const worker = new Worker(SCAN_WORKER_SOURCE, {
    eval: true,
    workerData,
    resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
  });
  // A scan stuck on a hung filesystem must not keep a stopping agent alive.
  worker.unref();
  const summary = new FileSummary(request.futureAfterMs);

  const done = new Promise<ScanOutcome>((resolve) => {
    let settled = false;
    const finish = (outcome: ScanOutcome): void => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    worker.on('message', (message: ScanWorkerMessage) => {
      if (message.kind === 'batch') {
        for (const [name, mtimeMs, size] of message.files) summary.addFile({ name, mtimeMs, size });
        for (const [name, reason] of message.skipped) summary.addSkipped({ name, reason });
      } else if (message.kind === 'done') {
        finish({ kind: 'scanned', summary });
      } else {
        finish({ kind: 'failed', code: message.code });
      }
    });
    // An error thrown while listing (EIO halfway through) ends the worker with it.
    worker.on('error', (err: NodeJS.ErrnoException) => {
      finish({ kind: 'failed', code: err.code ?? err.message });
    });
    worker.on('exit', () => finish({ kind: 'failed', code: 'the scan was stopped' }));
  });
  return { done, stop: () => void worker.terminate() };
}
