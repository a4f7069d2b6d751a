import { stat } from 'node:fs/promises';
import type { Sampler, SampleResult, SamplerContext } from '../samplers/sampler.js';
import type { BackupConfig } from './config.js';
import { BackupWatch, type BackupWatchDeps } from './backup-watch.js';
import { verifyGzip } from './gzip-verify.js';
import { startScan } from './scan.js';
import { verifySha256 } from './sha256-verify.js';

// The `backups:` section as one source of the sampling cycle, named `backups`: it runs through
// the same path as the samplers (sampler-set.ts), so the daemon and --once call the same code
// and the cycle's timeout covers it. Each backup is scanned under its own timeout, all at once,
// so one hung folder costs only its own figures.

export const BACKUPS_SOURCE = 'backups';

/**
 * Most time a cycle waits for one backup's scan: 70 % of the interval, never less than the
 * source timeout. A folder of a million files takes seconds to list and stat, more than the
 * 5 s allowed a statfs; the cycle, which waits at most 80 % of the interval, still ends on
 * time. A longer scan goes on in the background (backup-watch.ts). Scans this long happen only
 * when the folder changed (scan-cache.ts).
 */
export function backupScanTimeoutMs(intervalMs: number, sourceTimeoutMs: number): number {
  return Math.max(sourceTimeoutMs, Math.floor(intervalMs * 0.7));
}

export interface BackupSampler extends Sampler {
  /** Runs every configured verification now and waits for them (--once, tests). */
  verifyAll(): Promise<void>;
  close(): void;
}

const defaultDeps: BackupWatchDeps = {
  scan: startScan,
  stat: (path) => stat(path),
  verifiers: { gzip: verifyGzip, sha256: verifySha256 },
};

export function createBackupSampler(
  ctx: SamplerContext,
  backups: readonly BackupConfig[],
  deps: Partial<BackupWatchDeps> = {},
): BackupSampler {
  const all = { ...defaultDeps, ...deps };
  const watches = backups.map((backup) => new BackupWatch(ctx, backup, all));
  return {
    async sample(now: number): Promise<SampleResult> {
      const results = await Promise.all(watches.map((watch) => watch.sample(now)));
      return {
        series: results.flatMap((r) => r.series),
        problems: results.flatMap((r) => r.problems),
      };
    },
    async verifyAll(): Promise<void> {
      await Promise.all(watches.map((watch) => watch.verifyNow()));
    },
    close(): void {
      for (const watch of watches) watch.stop();
    },
  };
}
