import type { JobDefinition } from './job.js';

// Makes the daily sample partitions of today and the next three days, and the rollup
// partitions of this month and the next, so ingest rarely has to make one itself.
export const partitionsJob: JobDefinition = {
  name: 'partitions',
  schedule: '7 * * * *',
  atStart: true,
  run: (storage, nowMs) => storage.preparePartitions(nowMs),
};
