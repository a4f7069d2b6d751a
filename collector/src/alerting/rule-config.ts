import { Type, type Static } from '@sinclair/typebox';
import { Duration, quote, type Problem } from '@hostpulse/shared';

// The `rules:` section of collector.yaml (SPEC §5.2). The schema checks shapes; validateRules()
// checks what a schema cannot say: exactly one of above/below, unique names, known notifiers.
// Metric names are checked for shape only: custom metrics (agent checks, pushed series) exist,
// so a name the agent does not send (a typo) cannot be refused here.

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const severitySchema = Type.Union(SEVERITIES.map((s) => Type.Literal(s)));

export const thresholdSchema = Type.Object(
  {
    severity: severitySchema,
    above: Type.Optional(Type.Number()),
    below: Type.Optional(Type.Number()),
    for: Duration({ default: '0s', description: 'how long the condition must hold' }),
  },
  { additionalProperties: false },
);

export const clearSchema = Type.Object(
  { above: Type.Optional(Type.Number()), below: Type.Optional(Type.Number()) },
  { additionalProperties: false },
);

export const ruleSchema = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$',
      description: 'letters, digits, - _ .',
    }),
    metric: Type.String({
      minLength: 1,
      pattern: '^[A-Za-z_:][A-Za-z0-9_:]*$',
      description: 'a metric name: letters, digits, _ and :, not starting with a digit',
    }),
    match: Type.Record(Type.String(), Type.String(), { default: {} }),
    thresholds: Type.Array(thresholdSchema, { minItems: 1 }),
    clear: Type.Optional(clearSchema),
    notify: Type.Array(Type.String({ minLength: 1 }), { default: [] }),
    repeat_every: Type.Optional(Duration()),
    summary: Type.Optional(Type.String({ minLength: 1 })),
    no_data: Type.Union([Type.Literal('ok'), Type.Literal('alert'), Type.Literal('keep')], {
      default: 'ok',
      description: 'when a series stops arriving while its host still sends: ok, alert or keep',
    }),
  },
  { additionalProperties: false },
);

/** The list as config.ts puts it under `rules:`; names are unique. */
export const rulesSchema = Type.Array(ruleSchema, { default: [], 'x-hostpulse-unique': 'name' });

export type RuleYaml = Static<typeof ruleSchema>;

// Written out rather than Loaded<RuleYaml>: Loaded<> cannot tell a plain number from a
// duration (DurationMs's brand is optional), so it would name `above` as `aboveMs`. The loader
// itself renames only real durations, which is what these types say.
export interface ThresholdConfig {
  readonly severity: Severity;
  readonly above?: number | undefined;
  readonly below?: number | undefined;
  readonly forMs: number;
}

export interface ClearConfig {
  readonly above?: number | undefined;
  readonly below?: number | undefined;
}

export interface RuleConfig {
  readonly name: string;
  readonly metric: string;
  readonly match: Readonly<Record<string, string>>;
  readonly thresholds: readonly ThresholdConfig[];
  readonly clear?: ClearConfig | undefined;
  readonly notify: readonly string[];
  readonly repeatEveryMs?: number | undefined;
  readonly summary?: string | undefined;
  /** Absent means `ok`, as the schema's default. */
  readonly noData?: NoDataPolicy | undefined;
}

export type NoDataPolicy = 'ok' | 'alert' | 'keep';

/** Names of the built-in rules (builtin-rules.ts); a rule in collector.yaml may not take them. */
export const BUILTIN_RULE_NAMES: readonly string[] = ['host-down'];

const EXACTLY_ONE = 'needs exactly one of above: or below:';

/** The one field every notifier config has, all validateRules needs to know of them. */
export interface NamedNotifier {
  readonly name: string;
}

/**
 * Problems a schema cannot express, with key paths as the YAML writes them
 * (`rules[1].thresholds[0]`). An empty list means the rules are usable.
 */
export function validateRules(
  rules: readonly RuleConfig[],
  notifiers: readonly NamedNotifier[],
): Problem[] {
  const problems: Problem[] = [];
  const known = new Set(notifiers.map((n) => n.name));
  const seen = new Set<string>();
  rules.forEach((rule, i) => {
    const at = `rules[${i}]`;
    if (seen.has(rule.name)) {
      problems.push({ path: `${at}.name`, message: `${quote(rule.name)} is used twice` });
    }
    if (BUILTIN_RULE_NAMES.includes(rule.name)) {
      const message = `${quote(rule.name)} is the name of a built-in rule (pick another)`;
      problems.push({ path: `${at}.name`, message });
    }
    seen.add(rule.name);
    rule.thresholds.forEach((t, j) => {
      if ((t.above === undefined) === (t.below === undefined)) {
        problems.push({ path: `${at}.thresholds[${j}]`, message: EXACTLY_ONE });
      }
    });
    problems.push(...directionProblems(rule, at), ...clearProblems(rule, at));
    rule.notify.forEach((name, j) => {
      if (!known.has(name)) {
        const list = [...known].join(', ') || 'none configured';
        const message = `${quote(name)} is not a notifier (known: ${list})`;
        problems.push({ path: `${at}.notify[${j}]`, message });
      }
    });
    problems.push(...matchProblems(rule, at), ...templateProblems(rule, at));
    if (rule.repeatEveryMs !== undefined && rule.repeatEveryMs <= 0) {
      const message = 'must be longer than 0s; leave it out to never repeat';
      problems.push({ path: `${at}.repeat_every`, message });
    }
  });
  return problems;
}

function directionProblems(rule: RuleConfig, at: string): Problem[] {
  const problems: Problem[] = [];
  const directions = directionsOf(rule);
  if (directions.size > 1) {
    const message = 'mixes above: and below: (write two rules)';
    problems.push({ path: `${at}.thresholds`, message });
  }
  const severities = rule.thresholds.map((t) => t.severity);
  const twice = severities.find((s, i) => severities.indexOf(s) !== i);
  if (twice) {
    problems.push({ path: `${at}.thresholds`, message: `severity ${quote(twice)} is used twice` });
  }
  return problems;
}

function clearProblems(rule: RuleConfig, at: string): Problem[] {
  const clear = rule.clear;
  if (!clear) return [];
  if ((clear.above === undefined) === (clear.below === undefined)) {
    return [{ path: `${at}.clear`, message: EXACTLY_ONE }];
  }
  const problems: Problem[] = [];
  // Hysteresis only makes sense on the far side of every threshold: clear.below for above:
  // thresholds, and it must sit at or under the lowest of them, or the alert could never fire.
  if (directionsOf(rule).has('above')) {
    const lowest = Math.min(...rule.thresholds.map((t) => t.above ?? Infinity));
    if (clear.below === undefined) {
      problems.push({ path: `${at}.clear`, message: 'use below: with above: thresholds' });
    } else if (clear.below > lowest) {
      const message = `${clear.below} is above the lowest threshold ${lowest}`;
      problems.push({ path: `${at}.clear.below`, message });
    }
  } else {
    const highest = Math.max(...rule.thresholds.map((t) => t.below ?? -Infinity));
    if (clear.above === undefined) {
      problems.push({ path: `${at}.clear`, message: 'use above: with below: thresholds' });
    } else if (clear.above < highest) {
      const message = `${clear.above} is below the highest threshold ${highest}`;
      problems.push({ path: `${at}.clear.above`, message });
    }
  }
  return problems;
}

function directionsOf(rule: RuleConfig): Set<'above' | 'below'> {
  return new Set(rule.thresholds.map((t) => (t.above === undefined ? 'below' : 'above')));
}

// Only * and ? are special in our globs (shared/src/glob.ts); brackets and braces would match only
// themselves, which is never what `[0-9]` or `{a,b}` meant, so the rule could never fire.
const NOT_GLOB = /[[\]{}]/;

function matchProblems(rule: RuleConfig, at: string): Problem[] {
  return Object.entries(rule.match)
    .filter(([, glob]) => NOT_GLOB.test(glob))
    .map(([key, glob]) => ({
      path: `${at}.match.${key}`,
      message: `${quote(glob)} is not a valid glob (only * and ? are special; [ ] { } are refused)`,
    }));
}

const TEMPLATE_FIELD = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;
const KNOWN_FIELDS = new Set(['host', 'value', 'rule', 'severity', 'metric', 'detail']);
const FIELD_LIST = 'host, value, rule, severity, metric, detail, labels.NAME';

function templateProblems(rule: RuleConfig, at: string): Problem[] {
  if (rule.summary === undefined) return [];
  const problems: Problem[] = [];
  for (const [, field] of rule.summary.matchAll(TEMPLATE_FIELD)) {
    if (field && !KNOWN_FIELDS.has(field) && !field.startsWith('labels.')) {
      const message = `${quote(`{{${field}}}`)} is not a known field (${FIELD_LIST})`;
      problems.push({ path: `${at}.summary`, message });
    }
  }
  return problems;
}
