import type { Database } from 'better-sqlite3';

// Giving disk space back after batches leave. Deleted rows leave free pages that SQLite reuses
// but never returns; after a long outage the file would keep its peak size (hundreds of MiB
// with max_bytes: 256MiB) for the life of the host. The file is in auto_vacuum=INCREMENTAL mode
// (open.ts), so the free pages can be cut off the end, and a checkpoint makes the main file and
// the -wal file shrink on disk at once.
//
// Not after every batch: in steady state one batch comes and goes per interval, freeing a page
// or two that the next batch reuses, and a vacuum each time would only add writes.

/** Free pages worth giving back while a backlog drains (1 MiB of 4 KiB pages). */
const DRAINING_PAGES = 256;
/** Free pages worth giving back once the buffer is empty. */
const EMPTY_PAGES = 16;

export interface ReclaimResult {
  readonly freedPages: number;
}

/** Gives free pages back to the file system when there are enough of them to matter. */
export function reclaimFreePages(db: Database, bufferEmpty: boolean): ReclaimResult {
  const free = db.pragma('freelist_count', { simple: true }) as number;
  if (free < (bufferEmpty ? EMPTY_PAGES : DRAINING_PAGES)) return { freedPages: 0 };

  db.pragma('incremental_vacuum');
  // TRUNCATE copies the vacuumed pages into the main file, cuts it, and empties the -wal file.
  // A reader holding a snapshot (--once, an operator's sqlite3 shell) makes it give up: without
  // a busy timeout it does so at once instead of stalling the agent's only thread for 5 s, and
  // a later checkpoint (SQLite's own, or the next reclaim) finishes the job.
  const busyTimeoutMs = db.pragma('busy_timeout', { simple: true }) as number;
  db.pragma('busy_timeout = 0');
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  }
  return { freedPages: free };
}
