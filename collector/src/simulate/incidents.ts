import { hash32, unit } from './noise.js';

// Occasional trouble on simulated hosts, so that alert rules and the dashboard have something to
// show: a filesystem filling fast, a backup that stopped being made, a service check failing.
// Incidents are drawn per host and per 6-hour window from the seed alone, so whether a host is
// in trouble at a time is a pure function of (seed, host, time), like every other value.

const WINDOW_MS = 6 * 3_600_000;

export type IncidentKind = 'disk_fill' | 'backup_stale' | 'check_failing';

export interface Incident {
  readonly kind: IncidentKind;
  readonly startMs: number;
  readonly endMs: number;
  /** Which filesystem, backup or check it hits (an index into the host's list). */
  readonly target: number;
}

const KINDS: readonly IncidentKind[] = ['disk_fill', 'backup_stale', 'check_failing'];

/** How long each kind lasts: long enough for `for:` clauses and backup max_age (26 h) to trip. */
export const INCIDENT_DURATION_MS: Readonly<Record<IncidentKind, number>> = {
  disk_fill: 3 * 3_600_000,
  backup_stale: 36 * 3_600_000,
  check_failing: 20 * 60_000,
};

const LONGEST_MS = Math.max(...Object.values(INCIDENT_DURATION_MS));
const TARGETS: Readonly<Record<IncidentKind, number>> = {
  disk_fill: 2,
  backup_stale: 2,
  check_failing: 4,
};

export interface IncidentOptions {
  readonly seed: number;
  /** Expected incidents per host per day; 0 turns them off. */
  readonly perHostPerDay: number;
}

/** The incidents of a host that are under way at `tMs`. */
export function activeIncidents(
  options: IncidentOptions,
  hostIndex: number,
  tMs: number,
): Incident[] {
  if (options.perHostPerDay <= 0) return [];
  const active: Incident[] = [];
  const last = Math.floor(tMs / WINDOW_MS);
  const first = Math.floor((tMs - LONGEST_MS) / WINDOW_MS);
  for (let window = first; window <= last; window++) {
    const incident = incidentOf(options, hostIndex, window);
    if (incident && incident.startMs <= tMs && tMs < incident.endMs) active.push(incident);
  }
  return active;
}

/** The incident drawn for one host and window, if any (at most one per window). */
export function incidentOf(
  options: IncidentOptions,
  hostIndex: number,
  window: number,
): Incident | undefined {
  const { seed } = options;
  const chance = Math.min(1, (options.perHostPerDay * WINDOW_MS) / 86_400_000);
  if (unit(seed, hostIndex, window, 101) >= chance) return undefined;
  const kind = KINDS[hash32(seed, hostIndex, window, 102) % KINDS.length] as IncidentKind;
  const startMs = window * WINDOW_MS + Math.floor(unit(seed, hostIndex, window, 103) * WINDOW_MS);
  const target = hash32(seed, hostIndex, window, 104) % TARGETS[kind];
  return { kind, startMs, endMs: startMs + INCIDENT_DURATION_MS[kind], target };
}

export function find(
  incidents: readonly Incident[],
  kind: IncidentKind,
  target: number,
): Incident | undefined {
  return incidents.find((incident) => incident.kind === kind && incident.target === target);
}
