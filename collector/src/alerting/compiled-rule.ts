import type { Labels } from '../storage/storage.js';
import { SEVERITIES, type RuleConfig, type Severity, type ThresholdConfig } from './rule-config.js';
import { globToRegExp } from '@hostpulse/shared';

// A rule made ready for evaluation: matchers built once, thresholds ordered from the most
// severe, and the test for "cleared" fixed (rule-set.ts indexes them).

export interface CompiledRule {
  readonly config: RuleConfig;
  /** Most severe first. */
  readonly thresholds: readonly ThresholdConfig[];
  matches(hostName: string, labels: Labels): boolean;
  holds(threshold: ThresholdConfig, value: number): boolean;
  /** With `clear:`, only past the clear level; without, when no threshold holds. */
  isCleared(value: number): boolean;
}

export function compileRule(config: RuleConfig): CompiledRule {
  const { host, ...labelMatch } = config.match;
  const hostPattern = host === undefined ? undefined : globToRegExp(host);
  const labelPatterns = Object.entries(labelMatch).map(([k, v]) => [k, globToRegExp(v)] as const);
  const thresholds = [...config.thresholds].sort((a, b) => rank(b.severity) - rank(a.severity));
  const holds = (t: ThresholdConfig, value: number): boolean =>
    t.above !== undefined ? value > t.above : t.below !== undefined && value < t.below;
  const clear = config.clear;
  return {
    config,
    thresholds,
    holds,
    matches: (hostName, labels) =>
      (hostPattern === undefined || hostPattern.test(hostName)) &&
      labelPatterns.every(([k, pattern]) => labels[k] !== undefined && pattern.test(labels[k])),
    isCleared: (value) => {
      if (clear?.below !== undefined) return value < clear.below;
      if (clear?.above !== undefined) return value > clear.above;
      return !thresholds.some((t) => holds(t, value));
    },
  };
}

export function rank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}
