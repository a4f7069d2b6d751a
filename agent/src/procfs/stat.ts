// CPU time from the aggregate `cpu` line of /proc/stat (proc(5)): cumulative USER_HZ ticks in
// the order user nice system idle iowait irq softirq steal guest guest_nice. Kernels before
// 2.6.11/2.6.24/2.6.33 stop after iowait, softirq or guest; missing fields read as 0.
// Only the aggregate line is used: per-CPU lines come and go with CPU hot-plug, the aggregate
// stays.

export interface CpuTimes {
  readonly user: number;
  readonly nice: number;
  readonly system: number;
  readonly idle: number;
  readonly iowait: number;
  readonly irq: number;
  readonly softirq: number;
  readonly steal: number;
  readonly guest: number;
  readonly guestNice: number;
}

const FIELDS = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal', 'guest', 'guestNice'] as const;

/** The aggregate line's times, or undefined when the text has no well-formed `cpu ` line. */
export function parseCpuStat(text: string): CpuTimes | undefined {
  // The aggregate line comes first on every kernel, so this rarely scans past the start.
  const start = text.startsWith('cpu ') ? 0 : text.indexOf('\ncpu ') + 1;
  if (start === 0 && !text.startsWith('cpu ')) return undefined;
  const end = text.indexOf('\n', start);
  const parts = text.slice(start, end === -1 ? undefined : end).trim().split(/\s+/);
  if (parts.length < 5) return undefined;
  const times: Record<string, number> = {};
  for (let i = 0; i < FIELDS.length; i++) {
    const raw = parts[i + 1];
    const value = raw === undefined ? 0 : Number(raw);
    if (!Number.isFinite(value) || value < 0) return undefined;
    times[FIELDS[i] as string] = value;
  }
  return times as unknown as CpuTimes;
}

export interface CpuPercentages {
  /** Time not idle and not iowait (SPEC §3.3); steal counts as used, as it is not idle. */
  readonly usage: number;
  readonly iowait: number;
  readonly steal: number;
}

/**
 * Shares of the interval between two readings, in percent. Undefined when the interval cannot
 * be trusted: no tick passed, or any field went down. Fields go down when a CPU is unplugged
 * (the kernel then sums that CPU's idle time from a different counter) or, on some kernels,
 * when iowait is corrected backwards; a clamped field would make the other shares wrong, so the
 * whole interval is skipped and the next one starts from the new reading.
 */
export function cpuPercentages(before: CpuTimes, after: CpuTimes): CpuPercentages | undefined {
  for (const field of FIELDS) if (after[field] < before[field]) return undefined;
  const d = (field: (typeof FIELDS)[number]): number => after[field] - before[field];
  // guest and guest_nice are already counted inside user and nice (the kernel adds guest time
  // to both), so they are left out of the total: adding them would count guest time twice.
  const total = d('user') + d('nice') + d('system') + d('idle') + d('iowait') + d('irq') + d('softirq') + d('steal');
  if (total <= 0) return undefined;
  return {
    usage: ((total - d('idle') - d('iowait')) / total) * 100,
    iowait: (d('iowait') / total) * 100,
    steal: (d('steal') / total) * 100,
  };
}
