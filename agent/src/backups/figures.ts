import { formatDuration, formatSize } from '@hostpulse/shared';
import type { SampleProblem, SampleResult, SeriesValue } from '../samplers/sampler.js';
import type { BackupConfig } from './config.js';
import { median, type BackupFile, type FileSummary } from './file-summary.js';
import type { VerificationResult } from './verifier.js';

// The backup_* series (SPEC §3.3) and the problems of one backup, from what its scan kept and
// its last verification. Problem messages name the file and a fixed threshold, never a value
// that moves every cycle (an age), so the problem tracker sends one event when a problem
// appears and one when it clears, not one per cycle.

export interface FigureInput {
  readonly backup: BackupConfig;
  /** The folder as the host names it (without the configured root). */
  readonly hostFolder: string;
  readonly summary: FileSummary;
  readonly nowMs: number;
}

/** Problem sources: the backup's name, with a suffix per kind of problem. */
export const sourceOf = (backup: BackupConfig, kind?: string): string =>
  kind ? `${backup.name}:${kind}` : backup.name;

// The series each kind of problem explains; its event names it so the alert can say why.
const EXPLAINED: Readonly<Record<string, string>> = {
  '': 'backup_files',
  age: 'backup_age_seconds',
  size: 'backup_size_bytes',
  verify: 'backup_verified',
};

/** A problem of one backup, labelled with the series it explains when there is one. */
export function backupProblem(backup: BackupConfig, kind: string | undefined, message: string) {
  const metric = EXPLAINED[kind ?? ''];
  const explains = metric ? { explains: { backup: backup.name, metric } } : {};
  return { source: sourceOf(backup, kind), message, ...explains };
}

export function scanFigures(input: FigureInput): SampleResult {
  const { backup, summary } = input;
  const labels = { backup: backup.name };
  const series: SeriesValue[] = [{ metric: 'backup_files', labels, value: summary.files }];
  const problems: SampleProblem[] = [];
  const problem = (kind: string | undefined, message: string) =>
    problems.push(backupProblem(backup, kind, message));
  const fileName = (file: BackupFile) => `${input.hostFolder}/${file.name}`;

  if (summary.files === 0) problem(undefined, `no file matches ${backup.path}`);
  const latest = summary.latest;
  if (latest) {
    const ageSeconds = Math.max(0, input.nowMs - latest.mtimeMs) / 1000;
    series.push({ metric: 'backup_age_seconds', labels, value: ageSeconds });
    series.push({ metric: 'backup_size_bytes', labels, value: latest.size });
    const change = sizeChangePercent(latest.size, summary.previousSizes);
    if (change !== undefined) {
      series.push({ metric: 'backup_size_change_percent', labels, value: change });
    }
    const modified = new Date(latest.mtimeMs).toISOString();
    const named = `the latest backup ${fileName(latest)}`;
    if (backup.maxAgeMs !== undefined && input.nowMs - latest.mtimeMs > backup.maxAgeMs) {
      const limit = formatDuration(backup.maxAgeMs);
      problem('age', `${named} (modified ${modified}) is older than max_age ${limit}`);
    }
    if (latest.size === 0) {
      problem('size', `${named} is empty (0 bytes)`);
    } else if (backup.minSizeBytes !== undefined && latest.size < backup.minSizeBytes) {
      const limit = formatSize(backup.minSizeBytes);
      problem('size', `${named} has ${latest.size} bytes, under min_size ${limit}`);
    }
  }
  const future = summary.newestFuture;
  if (future) {
    const dated = new Date(future.mtimeMs).toISOString();
    const more = summary.futureFiles > 1 ? ` (and ${summary.futureFiles - 1} more)` : '';
    const why = `in the future${more}: not taken as the latest backup`;
    problem('future', `${fileName(future)} is dated ${dated}, ${why}`);
  }
  if (summary.skippedEntries > 0) {
    const named = summary.skipped.map((entry) => `${entry.name}: ${entry.reason}`).join('; ');
    const rest = summary.skippedEntries - summary.skipped.length;
    const more = rest > 0 ? `; and ${rest} more` : '';
    problem('skipped', `${summary.skippedEntries} match(es) skipped: ${named}${more}`);
  }
  return { series, problems };
}

/** backup_verified and, when it failed, the reason; nothing before the first verification. */
export function verificationFigures(
  backup: BackupConfig,
  result: VerificationResult | undefined,
): SampleResult {
  if (!result) return { series: [], problems: [] };
  const labels = { backup: backup.name };
  const series = [{ metric: 'backup_verified', labels, value: result.ok ? 1 : 0 }];
  if (result.ok) return { series, problems: [] };
  const reason = result.reason ?? 'no reason given';
  const message = `${result.file}: ${backup.verify} verification failed: ${reason}`;
  return { series, problems: [backupProblem(backup, 'verify', message)] };
}

/** The latest size against the median of the previous ones, in %; undefined without a base. */
export function sizeChangePercent(latest: number, previous: readonly number[]): number | undefined {
  const base = median(previous);
  if (base === undefined || base === 0) return undefined;
  return ((latest - base) / base) * 100;
}
