import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Type } from '@sinclair/typebox';
import { HostpulseError, parseConfigText } from '@hostpulse/shared';
import { rulesSchema, validateRules, type RuleConfig } from './rule-config.js';
import { notifierConfigSchema, validateNotifiers, type NotifierConfig } from '../notifiers/index.js';

const schema = Type.Object({
  notifiers: Type.Array(notifierConfigSchema, { default: [] }),
  rules: rulesSchema,
});

function load(text: string): { rules: RuleConfig[]; notifiers: NotifierConfig[] } {
  return parseConfigText(schema, text, 'collector.yaml') as never;
}

function problemsOf(text: string): string[] {
  try {
    load(text);
  } catch (err) {
    expect((err as HostpulseError).code).toBe('config_invalid');
    return (err as HostpulseError).details.problems as string[];
  }
  return [];
}

const EXAMPLE = `
notifiers:
  - { name: ops-slack, type: slack, webhook_url: "https://hooks.slack.com/services/T/B/x" }
  - { name: oncall, type: email, smtp_url: "smtp://u:p@127.0.0.1:25", from: "hp@example.com", to: ["ops@example.com"] }
rules:
  - name: cpu-high
    metric: cpu_usage_percent
    match: { host: "web-*", env: prod }
    thresholds:
      - { severity: high, above: 85, for: 5m }
      - { severity: critical, above: 95, for: 2m }
    clear: { below: 75 }
    notify: [ops-slack, oncall]
    repeat_every: 4h
    summary: "CPU at {{value}}% on {{host}}"
`;

describe('rule and notifier config', () => {
  it('loads the SPEC example into code names with durations in ms', () => {
    const config = load(EXAMPLE);
    const rule = config.rules[0] as RuleConfig;
    expect(rule.thresholds[0]).toEqual({ severity: 'high', above: 85, forMs: 300_000 });
    expect(rule.repeatEveryMs).toBe(14_400_000);
    expect(rule.match).toEqual({ host: 'web-*', env: 'prod' });
    expect(config.notifiers[1]).toMatchObject({ type: 'email', smtpUrl: 'smtp://u:p@127.0.0.1:25', to: ['ops@example.com'] });
    expect(validateRules(config.rules, config.notifiers)).toEqual([]);
    expect(validateNotifiers(config.notifiers)).toEqual([]);
  });

  it('fills for: 0 and an empty notify list', () => {
    const config = load('rules: [{ name: r, metric: m, thresholds: [{ severity: low, below: 1 }] }]');
    expect(config.rules[0]).toMatchObject({ match: {}, notify: [], thresholds: [{ severity: 'low', below: 1, forMs: 0 }] });
  });

  it('reports schema problems with key paths and quoted values', () => {
    const problems = problemsOf(`
notifiers:
  - { name: x, type: pager }
rules:
  - { name: r, metric: m, thresholds: [{ severity: urgent, above: 1, for: "5 minutes" }], colour: red }
`);
    expect(problems).toContain('collector.yaml: notifiers[0].type: "pager" is not one of slack, email, webhook');
    expect(problems).toContain('collector.yaml: rules[0].thresholds[0].severity: "urgent" is not one of low, medium, high, critical');
    expect(problems.some((p) => p.includes('rules[0].thresholds[0].for: "5 minutes" is not a duration'))).toBe(true);
    expect(problems.some((p) => p.startsWith('collector.yaml: rules[0].colour: unknown key'))).toBe(true);
  });

  it('finds what the schema cannot: both directions, bad clear, unknown notifier and field', () => {
    const config = load(`
notifiers: [{ name: ops, type: slack, webhook_url_file: /nonexistent }]
rules:
  - name: r
    metric: m
    thresholds: [{ severity: high, above: 90, below: 10 }, { severity: low, above: 50 }]
    clear: { below: 60 }
    notify: [ops, pager]
    summary: "{{hostname}} at {{value}} {{labels.mount}}"
`);
    expect(validateRules(config.rules, config.notifiers)).toEqual([
      { path: 'rules[0].thresholds[0]', message: 'needs exactly one of above: or below:' },
      { path: 'rules[0].clear.below', message: '60 is above the lowest threshold 50' },
      { path: 'rules[0].notify[1]', message: '"pager" is not a notifier (known: ops)' },
      { path: 'rules[0].summary', message: '"{{hostname}}" is not a known field (host, value, rule, severity, metric, detail, labels.NAME)' },
    ]);
    const twice = [config.rules[0], config.rules[0]] as RuleConfig[];
    expect(validateRules(twice, config.notifiers)).toContainEqual({ path: 'rules[1].name', message: '"r" is used twice' });
  });

  it('takes no_data (default ok) and refuses a bad value and the built-in name', () => {
    const config = load('rules: [{ name: r, metric: m, thresholds: [{ severity: low, above: 1 }] }]');
    expect((config.rules[0] as RuleConfig).noData).toBe('ok');
    const problems = problemsOf(
      'rules: [{ name: r, metric: m, no_data: maybe, thresholds: [{ severity: low, above: 1 }] }]',
    );
    expect(problems).toContain('collector.yaml: rules[0].no_data: "maybe" is not one of ok, alert, keep');
    const builtin = load('rules: [{ name: host-down, metric: m, thresholds: [{ severity: low, above: 1 }] }]');
    expect(validateRules(builtin.rules as RuleConfig[], [])).toEqual([
      { path: 'rules[0].name', message: '"host-down" is the name of a built-in rule (pick another)' },
    ]);
  });

  it('accepts every example rule of docs/alerts.md', () => {
    const doc = readFileSync(resolve(import.meta.dirname, '../../../docs/alerts.md'), 'utf8');
    const examples = doc.slice(doc.indexOf('## Examples'));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(examples)?.[1] ?? '';
    const notifiers = `notifiers:
  - { name: ops-slack, type: slack, webhook_url: "https://hooks.example.com/x" }
  - { name: oncall, type: slack, webhook_url: "https://hooks.example.com/y" }
`;
    const config = load(notifiers + yaml);
    expect(config.rules.map((r) => r.name)).toContain('backup-corrupt');
    expect(validateRules(config.rules, config.notifiers)).toEqual([]);
  });

  it('never echoes a secret while refusing a bad one', () => {
    const config = load('notifiers: [{ name: s, type: slack, webhook_url: "not a url SECRET", webhook_url_file: /x }]');
    const problems = validateNotifiers(config.notifiers);
    expect(problems).toEqual([
      { path: 'notifiers[0]', message: 'needs exactly one of webhook_url: or webhook_url_file:' },
      { path: 'notifiers[0].webhook_url', message: 'is not an http(s) URL (value not shown: it is a secret)' },
    ]);
  });

  it('refuses rules that can never fire: a bad metric name, a bracket glob, repeat_every 0s', () => {
    const problems = problemsOf('rules: [{ name: r, metric: "not a metric!", thresholds: [{ severity: low, above: 1 }] }]');
    expect(problems).toEqual([
      'collector.yaml: rules[0].metric: "not a metric!" is not valid ' +
        '(a metric name: letters, digits, _ and :, not starting with a digit)',
    ]);
    expect(problemsOf('rules: [{ name: r, metric: 9cpu, thresholds: [{ severity: low, above: 1 }] }]'))
      .toHaveLength(1);
    const config = load(`
rules:
  - { name: r, metric: "node:cpu_usage_percent", match: { host: "[", mount: "/srv/*" },
      thresholds: [{ severity: low, above: 1 }], repeat_every: 0s }
  - { name: typo, metric: cpu_usage_pct, thresholds: [{ severity: low, above: 1 }], repeat_every: 1h }
`);
    expect(validateRules(config.rules, [])).toEqual([
      {
        path: 'rules[0].match.host',
        message: '"[" is not a valid glob (only * and ? are special; [ ] { } are refused)',
      },
      { path: 'rules[0].repeat_every', message: 'must be longer than 0s; leave it out to never repeat' },
    ]);
  });

  it('refuses a slack notifier with no webhook URL at all', () => {
    const config = load('notifiers: [{ name: s, type: slack }]');
    expect(validateNotifiers(config.notifiers)).toEqual([
      { path: 'notifiers[0]', message: 'needs exactly one of webhook_url: or webhook_url_file:' },
    ]);
    const empty = load('notifiers: [{ name: s, type: slack, webhook_url: "" }]');
    expect(validateNotifiers(empty.notifiers).length).toBeGreaterThan(0);
  });
});
