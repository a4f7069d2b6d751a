import type { JobDefinition } from './job.js';

// Drops raw samples past retention.raw, rollups, events and gaps past retention.rollup and
// exactly-once keys past the longer of retention.raw and retention.batch_keys, hourly:
// partitions are days and months, so a finer schedule would find nothing more to drop (events
// and gaps, deleted by row, are an hour older at worst).
export const retentionJob: JobDefinition = {
  name: 'retention',
  schedule: '17 * * * *',
  atStart: false,
  run: (storage, nowMs) => storage.applyRetention(nowMs),
};
