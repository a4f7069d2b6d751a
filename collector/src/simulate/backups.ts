import type { SimHost } from './fleet.js';
import type { SimSample } from './host-model.js';
import { find, type Incident } from './incidents.js';
import { gaussian } from './noise.js';

// The two backups every simulated host keeps: a nightly database dump at 02:00 local time and an
// hourly archive at a quarter past. A `backup_stale` incident stops new files from appearing, so
// backup_age_seconds climbs past the usual 26 h max_age until the incident ends.

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const MIB = 2 ** 20;

interface BackupPlan {
  readonly labels: Readonly<Record<string, string>>;
  readonly everyMs: number;
  /** When in the period (local time) the backup is made. */
  readonly atMs: number;
  readonly keptFiles: number;
  readonly sizeBytes: number;
}

const PLANS: readonly BackupPlan[] = [
  {
    labels: { backup: 'postgres-nightly' },
    everyMs: DAY_MS,
    atMs: 2 * HOUR_MS,
    keptFiles: 7,
    sizeBytes: 2048 * MIB,
  },
  {
    labels: { backup: 'etc-hourly' },
    everyMs: HOUR_MS,
    atMs: 15 * 60_000,
    keptFiles: 24,
    sizeBytes: 40 * MIB,
  },
];

/** backup_age_seconds, _size_bytes, _files, _size_change_percent and _verified per backup. */
export function backupSamples(
  host: SimHost,
  tMs: number,
  incidents: Incident[],
  seed: number,
): SimSample[] {
  const offsetMs = host.day.utcOffsetHours * HOUR_MS;
  const samples: SimSample[] = [];
  PLANS.forEach((plan, i) => {
    const stale = find(incidents, 'backup_stale', i);
    const lastRunMs = lastRunAt(plan, stale ? stale.startMs : tMs, offsetMs);
    const run = Math.floor(lastRunMs / plan.everyMs);
    // Each run's file differs a little from the one before; a database grows ~0.1 % a day.
    const change = gaussian(seed, host.index, 50 + i, run) * 1.5;
    const growth = 1 + ((lastRunMs / DAY_MS) % 365) * 0.001;
    const hostScale = 1 + (host.index % 7) / 10;
    const size = Math.round(plan.sizeBytes * growth * (1 + change / 100) * hostScale);
    samples.push(
      { metric: 'backup_age_seconds', labels: plan.labels, value: (tMs - lastRunMs) / 1000 },
      { metric: 'backup_size_bytes', labels: plan.labels, value: size },
      { metric: 'backup_files', labels: plan.labels, value: plan.keptFiles },
      { metric: 'backup_size_change_percent', labels: plan.labels, value: change },
      { metric: 'backup_verified', labels: plan.labels, value: 1 },
    );
  });
  return samples;
}

/** The latest scheduled run at or before `tMs`, for a host `offsetMs` ahead of UTC. */
export function lastRunAt(
  plan: Pick<BackupPlan, 'everyMs' | 'atMs'>,
  tMs: number,
  offsetMs: number,
): number {
  const local = tMs + offsetMs - plan.atMs;
  const periodStart = Math.floor(local / plan.everyMs) * plan.everyMs;
  return periodStart + plan.atMs - offsetMs;
}
