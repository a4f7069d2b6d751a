import { describe, expect, it } from 'vitest';
import { createLogger, HostpulseError } from '@hostpulse/shared';
import { NOTHING_DONE, type MaintenanceResult, type Storage } from '../storage/storage.js';
import { jobs } from './index.js';
import { startJob, type JobDefinition } from './job.js';

// The job runner with a stand-in storage call: what it logs on success, on failure (once per
// run of failures) and on recovery. The schedules themselves are node-cron's.

const DONE: MaintenanceResult = { ...NOTHING_DONE, dropped: ['samples_20230722'] };

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) };
  return { lines, log: createLogger({ name: 'test', level: 'debug', destination }) };
}

describe('maintenance jobs', () => {
  it('lists partitions, rollup and retention, each with a valid five-field UTC schedule', () => {
    expect(jobs.map((job) => [job.name, job.schedule.split(' ').length])).toEqual([
      ['partitions', 5],
      ['rollup', 5],
      ['retention', 5],
    ]);
  });

  it('logs a run that changed something, a failure once, and the recovery', async () => {
    const outcomes: (MaintenanceResult | Error)[] = [
      DONE,
      new HostpulseError('storage_unavailable', 'PostgreSQL at x is unavailable'),
      new HostpulseError('storage_unavailable', 'PostgreSQL at x is unavailable'),
      DONE,
    ];
    const seen: number[] = [];
    const definition: JobDefinition = {
      name: 'retention',
      schedule: '0 0 1 1 *',
      atStart: false,
      run: async (_storage, nowMs) => {
        seen.push(nowMs);
        const next = outcomes.shift() as MaintenanceResult | Error;
        if (next instanceof Error) throw next;
        return next;
      },
    };
    const { lines, log } = capture();
    const runs: string[] = [];
    const onRun = (name: string, outcome: string) => runs.push(`${name}:${outcome}`);
    const job = startJob(definition, { storage: {} as Storage, log, now: () => 42, onRun });
    try {
      for (let i = 0; i < 4; i++) await job.runOnce();
    } finally {
      await job.stop();
    }

    expect(seen).toEqual([42, 42, 42, 42]);
    expect(runs).toEqual(['retention:ok', 'retention:failed', 'retention:failed', 'retention:ok']);
    expect(lines.map((line) => [line.level, line.msg])).toEqual([
      [30, 'maintenance job done'],
      [40, 'maintenance job failed; the next run tries again'],
      [30, 'maintenance job works again'],
      [30, 'maintenance job done'],
    ]);
    expect(lines[0]).toMatchObject({ job: 'retention', dropped: ['samples_20230722'] });
  });

  it('logs event and gap deletions at info with their counts, an idle run at debug', async () => {
    const outcomes = [{ ...NOTHING_DONE, deletedEvents: 3 }, { ...NOTHING_DONE, deletedGaps: 2 }, NOTHING_DONE];
    const definition: JobDefinition = {
      name: 'retention',
      schedule: '0 0 1 1 *',
      atStart: false,
      run: async () => outcomes.shift() as MaintenanceResult,
    };
    const { lines, log } = capture();
    const job = startJob(definition, { storage: {} as Storage, log, now: () => 42 });
    try {
      for (let i = 0; i < 3; i++) await job.runOnce();
    } finally {
      await job.stop();
    }

    expect(lines.map((line) => [line.level, line.deletedEvents, line.deletedGaps])).toEqual([
      [30, 3, 0],
      [30, 0, 2],
      [20, 0, 0],
    ]);
  });
});
