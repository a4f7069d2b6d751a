import type { JobDefinition } from './job.js';

// Drops raw samples past retention.raw and rollups past retention.rollup, hourly: partitions
// are days and months, so a finer schedule would find nothing more to drop.
export const retentionJob: JobDefinition = {
  name: 'retention',
  schedule: '17 * * * *',
  atStart: false,
  run: (storage, nowMs) => storage.applyRetention(nowMs),
};
