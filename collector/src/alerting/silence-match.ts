import type { AlertRecord, SilenceRecord } from './alert-record.js';
import { globToRegExp } from '@hostpulse/shared';

// Which silence covers an alert. A silence's matchers are `rule`, `host` (the host name) and
// label names, each mapped to a glob; every matcher must match, and a label the alert does not
// carry never matches. A silence is active from starts_at (inclusive) to ends_at (exclusive)
// unless an operator expired it.

export function isActive(silence: SilenceRecord, nowMs: number): boolean {
  return silence.expiredMs === null && silence.startsMs <= nowMs && nowMs < silence.endsMs;
}

/** A silence with its globs built once, as alerting holds it. */
export interface CompiledSilence {
  readonly record: SilenceRecord;
  matches(alert: AlertRecord): boolean;
}

export function compileSilence(record: SilenceRecord): CompiledSilence {
  const patterns = Object.entries(record.matchers).map(
    ([key, glob]) => [key, globToRegExp(glob)] as const,
  );
  return {
    record,
    matches: (alert) =>
      patterns.every(([key, pattern]) => {
        const subject =
          key === 'rule' ? alert.rule : key === 'host' ? alert.hostName : alert.labels[key];
        return subject !== undefined && pattern.test(subject);
      }),
  };
}

export function silenceMatches(silence: SilenceRecord, alert: AlertRecord): boolean {
  return compileSilence(silence).matches(alert);
}

/** The active silence covering the alert, the one ending last when several do. */
export function findSilence(
  silences: readonly CompiledSilence[],
  alert: AlertRecord,
  nowMs: number,
): SilenceRecord | undefined {
  let best: SilenceRecord | undefined;
  for (const silence of silences) {
    if (!isActive(silence.record, nowMs) || !silence.matches(alert)) continue;
    if (!best || silence.record.endsMs > best.endsMs) best = silence.record;
  }
  return best;
}
