// What a scan keeps of a folder that may hold a million files: the count, the few newest files
// (the newest is "the latest backup", the ones before it give the median size), and samples of
// what went wrong. Its memory does not grow with the folder.

export interface BackupFile {
  readonly name: string;
  readonly mtimeMs: number;
  readonly size: number;
}

/** A match that is not a usable file: a dangling link, or one the agent may not stat. */
export interface SkippedEntry {
  readonly name: string;
  readonly reason: string;
}

/** How many files before the newest give the median size (a week of nightly backups). */
export const PREVIOUS_FILES = 7;

/** Skipped entries named in a problem; the rest are only counted. */
const SKIPPED_NAMED = 3;

export class FileSummary {
  /** Regular files matched, links to files included, future-dated ones too. */
  files = 0;
  /** Files modified after `futureAfterMs`; they do not count as the newest (see addFile). */
  futureFiles = 0;
  newestFuture: BackupFile | undefined;
  skippedEntries = 0;
  readonly skipped: SkippedEntry[] = [];
  /** Newest first, at most PREVIOUS_FILES + 1, modification times not in the future. */
  private readonly newest: BackupFile[] = [];

  constructor(private readonly futureAfterMs: number) {}

  addFile(file: BackupFile): void {
    this.files += 1;
    // A file dated in the future cannot be the latest backup: its age would read as fresh for
    // as long as the clock has not caught up, hiding backups that stopped since.
    if (file.mtimeMs > this.futureAfterMs) {
      this.futureFiles += 1;
      if (!this.newestFuture || isNewer(file, this.newestFuture)) this.newestFuture = file;
      return;
    }
    const keep = PREVIOUS_FILES + 1;
    const last = this.newest[this.newest.length - 1];
    if (this.newest.length === keep && last && !isNewer(file, last)) return;
    let at = this.newest.findIndex((kept) => isNewer(file, kept));
    if (at === -1) at = this.newest.length;
    this.newest.splice(at, 0, file);
    if (this.newest.length > keep) this.newest.pop();
  }

  addSkipped(entry: SkippedEntry): void {
    this.skippedEntries += 1;
    if (this.skipped.length < SKIPPED_NAMED) this.skipped.push(entry);
  }

  /** The latest backup: the newest file not dated in the future. */
  get latest(): BackupFile | undefined {
    return this.newest[0];
  }

  /** The files kept: the latest and up to PREVIOUS_FILES before it, newest first. */
  get keptFiles(): readonly BackupFile[] {
    return this.newest;
  }

  /** Sizes of up to PREVIOUS_FILES files before the latest, newest first. */
  get previousSizes(): number[] {
    return this.newest.slice(1).map((file) => file.size);
  }
}

/** Newer by modification time; on a tie the later name (dump-02 after dump-01) wins. */
function isNewer(a: BackupFile, b: BackupFile): boolean {
  return a.mtimeMs > b.mtimeMs || (a.mtimeMs === b.mtimeMs && a.name > b.name);
}

/** The median; undefined for no values. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] as number;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] as number) + upper) / 2;
}
