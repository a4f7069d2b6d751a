import type { JobDefinition } from './job.js';

// Rolls raw samples up into 5-minute buckets every 5 minutes, a minute after each bucket ends:
// a run recomputes whole buckets from the oldest sample that arrived since the last one, so a
// run per bucket reads each sample about once, where a run every minute would read the
// samples of the open bucket up to five times. Queries read raw samples past the last run.
export const rollupJob: JobDefinition = {
  name: 'rollup',
  schedule: '1-59/5 * * * *',
  atStart: false,
  run: (storage, nowMs) => storage.rollUp(nowMs),
};
