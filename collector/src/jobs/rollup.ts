import type { JobDefinition } from './job.js';

// Rolls raw samples up into 5-minute buckets every minute, so long-range queries find rollups
// at most a couple of minutes behind the raw samples.
export const rollupJob: JobDefinition = {
  name: 'rollup',
  schedule: '* * * * *',
  atStart: false,
  run: (storage, nowMs) => storage.rollUp(nowMs),
};
