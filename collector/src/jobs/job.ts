import cron, { type ScheduledTask } from 'node-cron';
import { isHostpulseError, type Logger } from '@hostpulse/shared';
import type { MaintenanceResult, Storage } from '../storage/storage.js';

// A maintenance job: a cron schedule and one storage call. node-cron runs it with noOverlap, so
// a run that outlasts its period makes the next tick skip rather than pile up; across replicas
// the storage takes an advisory lock per job (postgres/maintenance-lock.ts) and a replica that
// finds it taken answers { ran: false }. A failed run is logged and the next tick tries again.

export interface JobDefinition {
  readonly name: string;
  /** Five-field cron expression, UTC. */
  readonly schedule: string;
  /** Whether the collector also runs it once when it starts. */
  readonly atStart: boolean;
  run(storage: Storage, nowMs: number): Promise<MaintenanceResult>;
}

export interface RunningJob {
  readonly name: string;
  /** One run now, as the schedule would; resolves when it is done, never rejects. */
  runOnce(): Promise<void>;
  stop(): Promise<void>;
}

export interface JobContext {
  readonly storage: Storage;
  readonly log: Logger;
  readonly now: () => number;
  /** Told of every run: `skipped` when another replica held the job (self-metrics count them). */
  readonly onRun?: (job: string, outcome: JobOutcome) => void;
}

export type JobOutcome = 'ok' | 'failed' | 'skipped';

export function startJob(definition: JobDefinition, ctx: JobContext): RunningJob {
  const log = ctx.log.child({ job: definition.name });
  let failing = false;
  let current: Promise<void> = Promise.resolve();

  const runOnce = (): Promise<void> => {
    current = (async () => {
      const started = performance.now();
      try {
        const result = await definition.run(ctx.storage, ctx.now());
        const durationMs = Math.round(performance.now() - started);
        if (failing) log.info({ durationMs }, 'maintenance job works again');
        failing = false;
        report(log, result, durationMs);
        ctx.onRun?.(definition.name, result.ran ? 'ok' : 'skipped');
      } catch (err) {
        // Logged on the change only: the database being away fails every run alike.
        if (!failing) {
          const level = isHostpulseError(err, 'storage_unavailable') ? 'warn' : 'error';
          log[level]({ err }, 'maintenance job failed; the next run tries again');
        }
        failing = true;
        ctx.onRun?.(definition.name, 'failed');
      }
    })();
    return current;
  };

  const task: ScheduledTask = cron.schedule(definition.schedule, () => runOnce(), {
    name: `hostpulse-${definition.name}`,
    noOverlap: true,
    timezone: 'UTC',
  });
  return {
    name: definition.name,
    runOnce,
    async stop() {
      await task.destroy();
      await current;
    },
  };
}

function report(log: Logger, result: MaintenanceResult, durationMs: number): void {
  // What is left are counts of rows rolled up, written or deleted; a field of another kind
  // would fail `count > 0`.
  const { ran, created, dropped, hosts, ...counts } = result;
  const fields = { durationMs, created, dropped, hosts, ...counts };
  const changed =
    created.length > 0 || dropped.length > 0 || Object.values(counts).some((count) => count > 0);
  if (!ran) log.debug('another replica runs this job now');
  else if (changed) log.info(fields, 'maintenance job done');
  else log.debug(fields, 'maintenance job done');
}
