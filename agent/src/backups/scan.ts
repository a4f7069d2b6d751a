import { Worker } from 'node:worker_threads';
import { FileSummary } from './file-summary.js';
import { SCAN_WORKER_SOURCE, type ScanWorkerData, type ScanWorkerMessage } from './scan-worker.js';

// One scan of a backup folder, run in a worker thread (see scan-worker.ts) under a timeout.
// Memory stays flat however large the folder: entries arrive in batches and are folded into a
// FileSummary, which keeps a count and the few newest files.

export interface ScanRequest {
  /** The folder as the agent sees it (under the configured root). */
  readonly folder: string;
  /** Tested against each file name. */
  readonly pattern: RegExp;
  readonly matchHidden: boolean;
  readonly skipSuffix: string;
  /** Files modified after this are dated in the future (FileSummary.addFile). */
  readonly futureAfterMs: number;
  readonly timeoutMs: number;
}

export type ScanOutcome =
  | { readonly kind: 'scanned'; readonly summary: FileSummary }
  /** The folder could not be read: ENOENT, ENOTDIR, EACCES, or an error while listing. */
  | { readonly kind: 'failed'; readonly code: string }
  /** Not done in time. `ended` settles when the worker is gone (a hung call delays it). */
  | { readonly kind: 'timeout'; readonly ended: Promise<void> };

const BATCH_SIZE = 1000;
// The worker keeps no more than one batch; a cap keeps a bug there from taking the host's memory.
const WORKER_HEAP_MB = 32;

export function scanFolder(request: ScanRequest): Promise<ScanOutcome> {
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
  const ended = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const summary = new FileSummary(request.futureAfterMs);

  return new Promise<ScanOutcome>((resolve) => {
    const timer = setTimeout(() => {
      finish({ kind: 'timeout', ended });
      // terminate() waits for a call the thread is blocked in; `ended` tells the caller when.
      void worker.terminate();
    }, request.timeoutMs);
    let settled = false;
    function finish(outcome: ScanOutcome): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    }

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
    worker.on('exit', () => finish({ kind: 'failed', code: 'the scan ended without an answer' }));
  });
}
