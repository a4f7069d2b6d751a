import { lstat, readlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { SampleResult, SamplerContext } from '../samplers/sampler.js';
import { globToRegExp } from '../glob.js';
import type { BackupConfig } from './config.js';
import { scanFigures, sourceOf, verificationFigures } from './figures.js';
import type { ScanOutcome, ScanRequest } from './scan.js';
import { BackupVerifier, type Scheduler } from './verifier.js';
import type { VerifyFile } from './verification.js';

// One entry of `backups:`: a scan of its folder each cycle, under the source timeout, and its
// verification on its own schedule. While a timed-out scan is still stuck in a call (a hung
// NFS server), the folder is not scanned again, so stuck scans never pile up.

/**
 * A file up to this much newer than the agent's clock is taken as written just now: a file
 * server's clock may run a little ahead. Past it, a file is dated in the future.
 */
export const FUTURE_TOLERANCE_MS = 60_000;

export interface BackupWatchDeps {
  readonly scan: (request: ScanRequest) => Promise<ScanOutcome>;
  readonly verifiers: Readonly<Record<'gzip' | 'sha256', VerifyFile>>;
  readonly scheduler?: Scheduler;
}

export class BackupWatch {
  /** The folder as the host names it, and as the agent reaches it (under root). */
  private readonly hostFolder: string;
  private readonly folder: string;
  private readonly pattern: RegExp;
  private readonly verifier: BackupVerifier | undefined;
  /** Set while a scan that timed out has not ended yet: its start time. */
  private stuckSinceMs: number | undefined;

  constructor(
    private readonly ctx: SamplerContext,
    private readonly backup: BackupConfig,
    private readonly deps: BackupWatchDeps,
  ) {
    this.hostFolder = dirname(backup.path);
    this.folder = join(ctx.rootDir, this.hostFolder);
    this.pattern = globToRegExp(basename(backup.path));
    if (backup.verify !== 'none') {
      this.verifier = new BackupVerifier({
        schedule: backup.verifySchedule,
        verify: deps.verifiers[backup.verify],
        log: ctx.log.child({ backup: backup.name }),
        now: ctx.now,
        ...(deps.scheduler ? { scheduler: deps.scheduler } : {}),
      });
    }
  }

  /** For tests and --once: run a verification now and wait for it. */
  verifyNow(): Promise<void> {
    return this.verifier?.runNow() ?? Promise.resolve();
  }

  stop(): void {
    this.verifier?.stop();
  }

  async sample(nowMs: number): Promise<SampleResult> {
    const scanned = await this.scanOnce(nowMs);
    const verified = verificationFigures(this.backup, this.verifier?.result);
    return {
      series: [...scanned.series, ...verified.series],
      problems: [...scanned.problems, ...verified.problems],
    };
  }

  private async scanOnce(nowMs: number): Promise<SampleResult> {
    if (this.stuckSinceMs !== undefined) {
      const since = new Date(this.stuckSinceMs).toISOString();
      return this.failed(
        `the scan of ${this.hostFolder} started ${since} has not ended (a hung filesystem?); ` +
          'not scanned again until it does',
      );
    }
    const startedMs = this.ctx.now();
    const base = basename(this.backup.path);
    const outcome = await this.deps.scan({
      folder: this.folder,
      pattern: this.pattern,
      matchHidden: base.startsWith('.'),
      skipSuffix: this.backup.verify === 'sha256' ? '.sha256' : '',
      futureAfterMs: nowMs + FUTURE_TOLERANCE_MS,
      timeoutMs: this.ctx.sourceTimeoutMs,
    });
    if (outcome.kind === 'timeout') {
      this.stuckSinceMs = startedMs;
      void outcome.ended.then(() => {
        this.stuckSinceMs = undefined;
      });
      const limit = this.ctx.sourceTimeoutMs;
      return this.failed(`scanning ${this.hostFolder} did not finish within ${limit} ms`);
    }
    if (outcome.kind === 'failed') return this.folderFailed(outcome.code);

    const { summary } = outcome;
    const { latest } = summary;
    if (latest) {
      const file = `${this.hostFolder}/${latest.name}`;
      this.verifier?.setTarget({ path: join(this.folder, latest.name), file });
    }
    return scanFigures({ backup: this.backup, hostFolder: this.hostFolder, summary, nowMs });
  }

  /** A folder that does not exist holds no backup (backup_files 0); one we cannot read, unknown. */
  private async folderFailed(code: string): Promise<SampleResult> {
    const folder = this.hostFolder;
    if (code === 'ENOENT') {
      const target = await this.danglingTarget();
      const why = target === undefined ? 'does not exist' : `is a dangling link to ${target}`;
      return this.noFiles(`folder ${folder} ${why}`);
    }
    if (code === 'ENOTDIR') return this.noFiles(`${folder} is not a folder`);
    if (code === 'EACCES' || code === 'EPERM') {
      const why = `${code}: the agent's user needs read access`;
      return this.failed(`folder ${folder} cannot be read (${why})`);
    }
    return this.failed(`folder ${folder} cannot be read (${code})`);
  }

  private async danglingTarget(): Promise<string | undefined> {
    try {
      const stats = await lstat(this.folder);
      return stats.isSymbolicLink() ? await readlink(this.folder) : undefined;
    } catch (err) {
      // The folder is missing; so is any link: the message says "does not exist".
      this.ctx.log.debug({ err, folder: this.hostFolder }, 'backup folder not found');
      return undefined;
    }
  }

  private noFiles(message: string): SampleResult {
    const labels = { backup: this.backup.name };
    return {
      series: [{ metric: 'backup_files', labels, value: 0 }],
      problems: [{ source: sourceOf(this.backup), message }],
    };
  }

  private failed(message: string): SampleResult {
    return { series: [], problems: [{ source: sourceOf(this.backup), message }] };
  }
}
