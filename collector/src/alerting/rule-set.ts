import { compileRule, type CompiledRule } from './compiled-rule.js';
import type { RuleConfig } from './rule-config.js';

// The rules alerting runs with: those of collector.yaml plus the built-in `host-down`, indexed
// by metric (a batch meets only the rules of the metrics it carries) and by name. SIGHUP builds
// a new set and swaps it in whole.

export const HOST_DOWN = 'host-down';
/** The value host-down watches: seconds since the host's last batch reached the collector. */
export const HOST_SILENT_METRIC = 'host_silent_seconds';

export interface RuleSet {
  readonly byMetric: ReadonlyMap<string, readonly CompiledRule[]>;
  readonly byName: ReadonlyMap<string, CompiledRule>;
  readonly hostDown: CompiledRule;
  /** The rules of collector.yaml, in their order, then host-down. */
  readonly all: readonly CompiledRule[];
}

export interface RuleSetOptions {
  readonly rules: readonly RuleConfig[];
  /** Every configured notifier: built-in alerts go to all of them. */
  readonly notifierNames: readonly string[];
  readonly hostDownAfterMs: number;
}

export function buildRuleSet(options: RuleSetOptions): RuleSet {
  const configured = options.rules.map(compileRule);
  const hostDown = compileRule(hostDownRule(options));
  const byMetric = new Map<string, CompiledRule[]>();
  for (const rule of configured) {
    const list = byMetric.get(rule.config.metric) ?? [];
    list.push(rule);
    byMetric.set(rule.config.metric, list);
  }
  const all = [...configured, hostDown];
  return { byMetric, byName: new Map(all.map((r) => [r.config.name, r])), hostDown, all };
}

/**
 * host-down as a rule over a value the collector makes itself: fires at `critical` once the
 * host has been silent longer than host_down_after, resolves on the first batch after that.
 * Its value lives on the collector's clock, so an agent's clock never decides it.
 */
function hostDownRule(options: RuleSetOptions): RuleConfig {
  return {
    name: HOST_DOWN,
    metric: HOST_SILENT_METRIC,
    match: {},
    thresholds: [{ severity: 'critical', above: options.hostDownAfterMs / 1000, forMs: 0 }],
    notify: options.notifierNames,
    summary: '{{host}} sent no data for {{value}} s',
    noData: 'keep',
  };
}
