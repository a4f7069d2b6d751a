import { createTask, type Logger as CronLogger } from 'node-cron';
import type { Logger } from '@hostpulse/shared';
import type { VerifyFile } from './verification.js';

// Verification of one backup on its own cron schedule, apart from the sampling cycle: reading
// a large dump to its end can take minutes. The last result stays in memory and every cycle
// reports it (backup_verified) until the next verification replaces it. There is no result
// before the first verification; that one runs as soon as a scan has found a file, so that a
// restart does not leave the metric absent until the schedule next fires.

export interface VerificationResult {
  /** The file verified, as the host names it. */
  readonly file: string;
  readonly ok: boolean;
  readonly reason?: string;
  readonly finishedMs: number;
}

/** The file to verify: where the agent reads it (under root) and its name on the host. */
export interface VerifyTarget {
  readonly path: string;
  readonly file: string;
}

export interface ScheduledJob {
  stop(): void;
}

/** Runs `job` on a cron schedule; never two runs of it at once. */
export type Scheduler = (expression: string, job: () => Promise<void>) => ScheduledJob;

export interface VerifierOptions {
  readonly schedule: string;
  readonly verify: VerifyFile;
  readonly log: Logger;
  readonly now: () => number;
  readonly scheduler?: Scheduler;
}

export class BackupVerifier {
  private last: VerificationResult | undefined;
  private target: VerifyTarget | undefined;
  private running: Promise<void> | undefined;
  private readonly job: ScheduledJob;

  constructor(private readonly options: VerifierOptions) {
    const scheduler = options.scheduler ?? cronScheduler(options.log);
    this.job = scheduler(options.schedule, () => this.runNow());
  }

  get result(): VerificationResult | undefined {
    return this.last;
  }

  /** The latest backup as the last scan found it; the first one found is verified at once. */
  setTarget(target: VerifyTarget): void {
    const first = this.target === undefined;
    this.target = target;
    if (first && this.last === undefined) void this.runNow();
  }

  /** Verifies the current target; while a run is going on, waits for that one instead. */
  runNow(): Promise<void> {
    this.running ??= this.verifyTarget().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  stop(): void {
    this.job.stop();
  }

  private async verifyTarget(): Promise<void> {
    const target = this.target;
    if (!target) return;
    const startedMs = this.options.now();
    const outcome = await this.options.verify(target.path);
    const finishedMs = this.options.now();
    const durationMs = finishedMs - startedMs;
    const { log } = this.options;
    if (outcome.ok) {
      if (this.last?.ok === false) log.info({ file: target.file, durationMs }, 'backup verified');
      else log.debug({ file: target.file, durationMs }, 'backup verified');
      this.last = { file: target.file, ok: true, finishedMs };
      return;
    }
    // Logged by the problem tracker when the cycle reports it, so not here too.
    log.debug({ file: target.file, reason: outcome.reason, durationMs }, 'verification failed');
    this.last = { file: target.file, ok: false, reason: outcome.reason, finishedMs };
  }
}

/** node-cron with overlap prevention, its own messages routed to the agent's log. */
export function cronScheduler(log: Logger): Scheduler {
  const logger: CronLogger = {
    info: (message) => log.debug({ cron: message }, 'verification schedule'),
    warn: (message) => log.warn({ cron: message }, 'verification schedule'),
    error: (message, err) => log.error({ err: err ?? message }, 'verification schedule failed'),
    debug: (message) => log.debug({ cron: String(message) }, 'verification schedule'),
  };
  return (expression, job) => {
    // unref: a --once run must be able to exit while a schedule is still set.
    const task = createTask(expression, job, { noOverlap: true, logger, unref: true });
    void task.start();
    return { stop: () => void task.destroy() };
  };
}
