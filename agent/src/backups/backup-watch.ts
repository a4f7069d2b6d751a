import { lstat, readlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { SampleResult, SamplerContext } from '../samplers/sampler.js';
import type { BackupConfig } from './config.js';
import { scanFigures, sourceOf, verificationFigures } from './figures.js';
import type { RunningScan, ScanOutcome, ScanRequest } from './scan.js';
import { ScanCache, type StatFile } from './scan-cache.js';
import type { FileSummary } from './file-summary.js';
import { BackupVerifier, type Scheduler } from './verifier.js';
import type { VerifyFile } from './verification.js';
import { globToRegExp } from '@hostpulse/shared';

// One entry of `backups:`: each cycle, its folder's figures under the source timeout (from the
// last scan while the folder is unchanged, see scan-cache.ts, else from a new scan), and its
// verification on its own schedule. A scan that outlasts the timeout goes on in the background
// and a later cycle uses its result; until then no new scan starts, so scans never pile up,
// and each cycle says that one is still running (or stuck, on a hung NFS server).

/**
 * A file up to this much newer than the agent's clock is taken as written just now: a file
 * server's clock may run a little ahead. Past it, a file is dated in the future.
 */
export const FUTURE_TOLERANCE_MS = 60_000;

export interface BackupWatchDeps {
  readonly scan: (request: ScanRequest) => RunningScan;
  /** stat(2), following links: the folder's time and the kept files (scan-cache.ts). */
  readonly stat: StatFile;
  readonly verifiers: Readonly<Record<'gzip' | 'sha256', VerifyFile>>;
  readonly scheduler?: Scheduler;
}

export class BackupWatch {
  /** The folder as the host names it, and as the agent reaches it (under root). */
  private readonly hostFolder: string;
  private readonly folder: string;
  private readonly pattern: RegExp;
  private readonly verifier: BackupVerifier | undefined;
  /** A scan that outlasted its cycle, going on in the background. */
  private background: Background | undefined;
  private readonly cache = new ScanCache();

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
    this.background?.scan.stop();
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
    const startedMs = this.ctx.now();
    const deadlineMs = startedMs + this.ctx.sourceTimeoutMs;
    const futureAfterMs = nowMs + FUTURE_TOLERANCE_MS;
    const finished = this.background;
    if (finished) {
      if (!finished.outcome) return this.stillScanning(finished);
      this.background = undefined;
      // After a late stat (retry), this cycle goes on as usual.
      if (!finished.retry) return this.afterScan(finished.outcome, finished, nowMs);
    }

    const cached = this.fromCache(nowMs, futureAfterMs);
    const probe = await settleBy(cached, deadlineMs - this.ctx.now());
    if (probe.kind === 'timeout') {
      // A stat that does not answer: like a scan still running, until it does.
      const done = cached.then(
        (): ScanOutcome => ({ kind: 'failed', code: 'late' }),
        (err: unknown): ScanOutcome => ({ kind: 'failed', code: codeOf(err) }),
      );
      const scan = { done, stop: () => undefined };
      return this.goOnInBackground({ scan, startedMs, folderMtimeMs: 0, done, retry: true });
    }
    if (probe.kind === 'error') {
      this.cache.forget();
      return this.folderFailed(codeOf(probe.error));
    }
    const { folderMtimeMs } = probe.value;
    if (probe.value.summary) return this.figures(probe.value.summary, nowMs);

    const scan = this.deps.scan({
      folder: this.folder,
      pattern: this.pattern,
      matchHidden: basename(this.backup.path).startsWith('.'),
      skipSuffix: this.backup.verify === 'sha256' ? '.sha256' : '',
      futureAfterMs,
    });
    const outcome = await settleBy(scan.done, deadlineMs - this.ctx.now());
    if (outcome.kind !== 'value') {
      const background = { scan, startedMs, folderMtimeMs, done: scan.done, retry: false };
      return this.goOnInBackground(background);
    }
    return this.afterScan(outcome.value, { startedMs, folderMtimeMs }, nowMs);
  }

  private goOnInBackground(background: Background): Promise<SampleResult> {
    this.background = background;
    void background.done.then((outcome) => {
      background.outcome = outcome;
    });
    return Promise.resolve(this.stillScanning(background));
  }

  private async afterScan(
    outcome: ScanOutcome,
    scan: { readonly startedMs: number; readonly folderMtimeMs: number },
    nowMs: number,
  ): Promise<SampleResult> {
    if (outcome.kind === 'failed') return this.folderFailed(outcome.code);
    this.cache.remember(outcome.summary, scan.folderMtimeMs, scan.startedMs);
    return this.figures(outcome.summary, nowMs);
  }

  private figures(summary: FileSummary, nowMs: number): SampleResult {
    const { latest } = summary;
    if (latest) {
      const file = `${this.hostFolder}/${latest.name}`;
      this.verifier?.setTarget({ path: join(this.folder, latest.name), file });
    }
    return scanFigures({ backup: this.backup, hostFolder: this.hostFolder, summary, nowMs });
  }

  /** One message while the scan runs, so it is one event however many cycles it takes. */
  private stillScanning(background: Background): SampleResult {
    const since = new Date(background.startedMs).toISOString();
    return this.failed(
      `the scan of ${this.hostFolder} started ${since} has not finished ` +
        `(over ${this.ctx.sourceTimeoutMs} ms; a very large folder, or a hung filesystem); ` +
        'its figures follow when it does',
    );
  }

  /** The folder's time, and the last scan's summary when it still holds. */
  private async fromCache(
    nowMs: number,
    futureAfterMs: number,
  ): Promise<{ folderMtimeMs: number; summary: FileSummary | undefined }> {
    const folder = await this.deps.stat(this.folder);
    if (!folder.isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
    const summary = await this.cache.reuse({
      folderMtimeMs: folder.mtimeMs,
      nowMs,
      futureAfterMs,
      pathOf: (name) => join(this.folder, name),
      stat: this.deps.stat,
    });
    return { folderMtimeMs: folder.mtimeMs, summary };
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

interface Background {
  readonly scan: RunningScan;
  readonly startedMs: number;
  /** The folder's time when the scan started. */
  readonly folderMtimeMs: number;
  readonly done: Promise<ScanOutcome>;
  /** Not a scan but a stat of the folder that did not answer in time: scan when it does. */
  readonly retry: boolean;
  outcome?: ScanOutcome;
}

type Settled<T> =
  | { readonly kind: 'value'; readonly value: T }
  | { readonly kind: 'error'; readonly error: unknown }
  | { readonly kind: 'timeout' };

/** Waits for `promise` at most `timeoutMs`; the promise itself goes on after a timeout. */
async function settleBy<T>(promise: Promise<T>, timeoutMs: number): Promise<Settled<T>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Settled<T>>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'timeout' }), Math.max(0, timeoutMs));
  });
  const settled = promise.then(
    (value): Settled<T> => ({ kind: 'value', value }),
    (error: unknown): Settled<T> => ({ kind: 'error', error }),
  );
  try {
    return await Promise.race([settled, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function codeOf(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
}
