import type { AlertRecord, SilenceRecord } from './alert-record.js';
import { globToRegExp } from './glob.js';

// Which silence covers an alert. A silence's matchers are `rule`, `host` (the host name) and
// label names, each mapped to a glob; every matcher must match, and a label the alert does not
// carry never matches. A silence is active from starts_at (inclusive) to ends_at (exclusive)
// unless an operator expired it.

export function isActive(silence: SilenceRecord, nowMs: number): boolean {
  return silence.expiredMs === null && silence.startsMs <= nowMs && nowMs < silence.endsMs;
}

export function silenceMatches(silence: SilenceRecord, alert: AlertRecord): boolean {
  return Object.entries(silence.matchers).every(([key, glob]) => {
    const subject =
      key === 'rule' ? alert.rule : key === 'host' ? alert.hostName : alert.labels[key];
    return subject !== undefined && globToRegExp(glob).test(subject);
  });
}

/** The active silence covering the alert, the one ending last when several do. */
export function findSilence(
  silences: readonly SilenceRecord[],
  alert: AlertRecord,
  nowMs: number,
): SilenceRecord | undefined {
  let best: SilenceRecord | undefined;
  for (const silence of silences) {
    if (!isActive(silence, nowMs) || !silenceMatches(silence, alert)) continue;
    if (!best || silence.endsMs > best.endsMs) best = silence;
  }
  return best;
}
