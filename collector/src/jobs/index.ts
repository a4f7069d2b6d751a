import { startJob, type JobContext, type JobDefinition, type RunningJob } from './job.js';
import { partitionsJob } from './partitions.js';
import { retentionJob } from './retention.js';
import { rollupJob } from './rollup.js';

// Every maintenance job, one import and one entry per file in this folder.
export const jobs = [
  partitionsJob,
  rollupJob,
  retentionJob,
] as const satisfies readonly JobDefinition[];

export interface RunningJobs {
  readonly jobs: readonly RunningJob[];
  stop(): Promise<void>;
}

/** Schedules every job; those marked atStart also run once now, in the background. */
export function startJobs(ctx: JobContext): RunningJobs {
  const running = jobs.map((definition) => {
    const job = startJob(definition, ctx);
    if (definition.atStart) void job.runOnce();
    return job;
  });
  return {
    jobs: running,
    async stop() {
      await Promise.all(running.map((job) => job.stop()));
    },
  };
}
