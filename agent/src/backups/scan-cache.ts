import type { Stats } from 'node:fs';
import type { BackupFile, FileSummary } from './file-summary.js';

// A backup folder changes once a day; scanning it every cycle would cost a worker thread and a
// stat per file every 10 s. Adding, removing or renaming an entry changes the folder's own
// modification time, so while that time is unchanged the last scan still holds, as long as the
// files it kept (the latest and the ones before it) are unchanged too: a dump still being
// written grows. What this cannot see, a file the scan did not keep rewritten in place (or the
// target of a link changed), waits for the next full scan, at most FULL_SCAN_EVERY_MS later.

export const FULL_SCAN_EVERY_MS = 10 * 60_000;

/**
 * Folder times are as coarse as one second on some file servers: a file added in the same
 * second as a scan could leave the time unchanged. A scan counts only for a folder whose last
 * change is at least this much older than the scan's start.
 */
const SETTLED_MS = 2000;

export type StatFile = (
  path: string,
) => Promise<Pick<Stats, 'mtimeMs' | 'size' | 'isFile' | 'isDirectory'>>;

interface Entry {
  readonly folderMtimeMs: number;
  readonly startedMs: number;
  readonly summary: FileSummary;
}

export class ScanCache {
  private entry: Entry | undefined;

  /** Keeps a scan that started at `startedMs`, when the folder's time then was `folderMtimeMs`. */
  remember(summary: FileSummary, folderMtimeMs: number, startedMs: number): void {
    const settled = startedMs - folderMtimeMs >= SETTLED_MS;
    this.entry = settled ? { folderMtimeMs, startedMs, summary } : undefined;
  }

  forget(): void {
    this.entry = undefined;
  }

  /**
   * The last scan's summary when it still holds at `nowMs`, else undefined. `folderMtimeMs` is
   * the folder's time now; `stat` reads a kept file (one call at a time: on a hung server, only
   * one of libuv's threads waits).
   */
  async reuse(options: {
    readonly folderMtimeMs: number;
    readonly nowMs: number;
    readonly futureAfterMs: number;
    readonly pathOf: (name: string) => string;
    readonly stat: StatFile;
  }): Promise<FileSummary | undefined> {
    const { entry } = this;
    if (!entry) return undefined;
    if (options.folderMtimeMs !== entry.folderMtimeMs) return undefined;
    if (options.nowMs - entry.startedMs >= FULL_SCAN_EVERY_MS) return undefined;
    const { summary } = entry;
    // A future-dated file whose time has come is now the latest: the summary is out of date.
    const future = summary.newestFuture;
    if (future && future.mtimeMs <= options.futureAfterMs) return undefined;
    for (const file of summary.keptFiles) {
      if (!(await isUnchanged(file, options.pathOf(file.name), options.stat))) return undefined;
    }
    return summary;
  }
}

async function isUnchanged(file: BackupFile, path: string, stat: StatFile): Promise<boolean> {
  try {
    const now = await stat(path);
    return now.isFile() && now.mtimeMs === file.mtimeMs && now.size === file.size;
  } catch {
    // Gone or unreadable: a full scan will say which.
    return false;
  }
}
