import { Type, type Static, type TString } from '@sinclair/typebox';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import {
  Duration,
  HostpulseError,
  isHostpulseError,
  Secret,
  Size,
  deepFreeze,
  loadConfigFile,
  parseConfigText,
  quote,
  validateConfig,
  type Loaded,
  type Problem,
} from '@hostpulse/shared';
import { ruleSchema, validateRules, type RuleConfig } from './alerting/rule-config.js';
import { notifierConfigSchema, validateNotifiers, type NotifierConfig } from './notifiers/index.js';

// collector.yaml (SPEC §5.2). Defaults live here; the shared loader reports every problem at
// once, turns durations into ms and sizes into bytes, and renames keys to camelCase.

export const DEFAULT_CONFIG_FILE = '/etc/hostpulse/collector.yaml';

const LISTEN_PATTERN = '^(\\[[0-9a-fA-F:.]+\\]|[A-Za-z0-9.-]+):\\d{1,5}$';

const tlsSchema = Type.Object({
  cert_file: Type.String({ minLength: 1 }),
  key_file: Type.String({ minLength: 1 }),
});

const databaseSchema = Type.Object(
  {
    url: Type.Optional(Secret({ format: 'uri' }) as TString),
    pool_max: Type.Integer({ minimum: 1, maximum: 1000, default: 10 }),
  },
  { default: {} },
);

const limitsSchema = Type.Object(
  {
    max_body_bytes: Size({ default: '4MiB' }),
    max_inflated_bytes: Size({ default: '32MiB' }),
    max_query_points: Type.Integer({ minimum: 1, default: 100_000 }),
    // Per agent token (rate-limit.ts). The default lets an agent replay a day of 10 s batches
    // in minutes; a token shared by a whole fleet needs a higher rate, or 0 for no limit.
    ingest_per_token: Type.Object(
      {
        requests_per_second: Type.Number({ minimum: 0, default: 20 }),
        burst: Type.Integer({ minimum: 1, default: 200 }),
      },
      { default: {} },
    ),
    series_per_host: Type.Integer({ minimum: 1, default: 10_000 }),
  },
  { default: {} },
);

const metricsSchema = Type.Object(
  { require_token: Type.Boolean({ default: false }) },
  { default: {} },
);

const logLevelSchema = Type.Union(
  [
    Type.Literal('fatal'),
    Type.Literal('error'),
    Type.Literal('warn'),
    Type.Literal('info'),
    Type.Literal('debug'),
    Type.Literal('trace'),
    Type.Literal('silent'),
  ],
  { default: 'info' },
);

export const collectorConfigSchema = Type.Object({
  listen: Type.String({
    default: '127.0.0.1:8080',
    pattern: LISTEN_PATTERN,
    description: 'write host:port, e.g. 127.0.0.1:8080 or [::1]:8080',
  }),
  tls: Type.Optional(tlsSchema),
  database: databaseSchema,
  data_dir: Type.String({ minLength: 1, default: '/var/lib/hostpulse' }),
  redis: Type.Optional(Type.Object({ url: Secret({ format: 'uri' }) as TString })),
  retention: Type.Object(
    {
      raw: Duration({ default: '15d' }),
      rollup: Duration({ default: '400d' }),
      // Longer than the agents' buffer.max_age (7d by default) plus a day for their clocks.
      batch_keys: Duration({ default: '8d' }),
    },
    { default: {} },
  ),
  host_down_after: Duration({ default: '60s' }),
  public_url: Type.Optional(Type.String({ format: 'uri' })),
  limits: limitsSchema,
  metrics: metricsSchema,
  notifiers: Type.Array(notifierConfigSchema, { default: [], 'x-hostpulse-unique': 'name' }),
  rules: Type.Array(ruleSchema, { default: [], 'x-hostpulse-unique': 'name' }),
  log_level: logLevelSchema,
});

export type CollectorConfig = Loaded<Static<typeof collectorConfigSchema>>;

/**
 * Loads collector.yaml. DATABASE_URL and REDIS_URL fill in a url the file leaves unset, so a
 * secret can stay out of the file; a url written in the file wins.
 */
export function loadCollectorConfig(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): CollectorConfig {
  const name = basename(file);
  let config: CollectorConfig;
  try {
    config = loadConfigFile(collectorConfigSchema, file);
  } catch (err) {
    throw withCrossChecks(err, file);
  }
  const problems = semanticProblems(config, []).map((p) => `${name}: ${p.path}: ${p.message}`);
  if (problems.length > 0) {
    throw new HostpulseError('config_invalid', problems.join('\n'), { problems });
  }
  return withEnvironment(config, env);
}

/**
 * The schema found problems: add what the cross-checks find in the parts that are themselves
 * schema-valid, so an operator fixes the file in one round rather than two.
 */
function withCrossChecks(err: unknown, file: string): unknown {
  if (!isHostpulseError(err, 'config_invalid')) return err;
  let raw: unknown;
  try {
    // The file as YAML with no schema: unreadable or not YAML, the loader's message is all.
    raw = parseConfigText(Type.Unknown(), readFileSync(file, 'utf8'), file);
  } catch {
    return err;
  }
  const { value, problems: schemaProblems } = validateConfig(collectorConfigSchema, raw);
  if (value === null || typeof value !== 'object') return err;
  const extra = semanticProblems(value as CollectorConfig, schemaProblems);
  if (extra.length === 0) return err;
  const name = basename(file);
  const before = (err.details.problems as readonly string[] | undefined) ?? [err.message];
  const lines = [...before, ...extra.map((p) => `${name}: ${p.path}: ${p.message}`)];
  return new HostpulseError('config_invalid', lines.join('\n'), { problems: lines });
}

/**
 * What the schema cannot say: the port range, retention order, rules naming notifiers, secrets.
 * Each check looks only at parts with no schema problem (`schemaProblems`), whose values it
 * can trust; a rule is judged on its own, with its index as the file has it.
 */
function semanticProblems(config: CollectorConfig, schemaProblems: readonly Problem[]): Problem[] {
  const clean = (part: string): boolean => !schemaProblems.some((p) => isUnder(p.path, part));
  const problems: Problem[] = [];
  if (clean('listen') && parseListen(config.listen).port > 65_535) {
    problems.push({ path: 'listen', message: `${quote(config.listen)} has a port above 65535` });
  }
  if (clean('retention') && config.retention.rollupMs < config.retention.rawMs) {
    // Queries past retention.raw read rollups; dropping them first would leave a hole.
    const message = 'must not be shorter than retention.raw';
    problems.push({ path: 'retention.rollup', message });
  }
  const notifiers = listOf<NotifierConfig>(config.notifiers);
  const good = cleanItems(notifiers, 'notifiers', clean);
  problems.push(...reindexed(validateNotifiers(good.items), 'notifiers', good.at));
  // A notifier with a problem of its own still has a name rules may use.
  const named = notifiers.filter((n) => typeof n?.name === 'string');
  const rules = cleanItems(listOf<RuleConfig>(config.rules), 'rules', clean);
  problems.push(...reindexed(validateRules(rules.items, named), 'rules', rules.at));
  return problems;
}

function isUnder(path: string, part: string): boolean {
  return path === '' || path === part || path.startsWith(`${part}.`) || path.startsWith(`${part}[`);
}

function listOf<T>(value: unknown): readonly T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

/** The items of `list` with no schema problem, and where each sits in the file. */
function cleanItems<T>(
  list: readonly T[],
  key: string,
  clean: (part: string) => boolean,
): { items: T[]; at: number[] } {
  const at = list.map((_, i) => i).filter((i) => clean(`${key}[${i}]`));
  return { items: at.map((i) => list[i] as T), at };
}

/** Puts the file's index back into `rules[k]` paths found on a filtered list. */
function reindexed(problems: readonly Problem[], key: string, at: readonly number[]): Problem[] {
  const head = new RegExp(`^${key}\\[(\\d+)\\]`);
  return problems.map((p) => ({
    ...p,
    path: p.path.replace(head, (_, k: string) => `${key}[${at[Number(k)] ?? k}]`),
  }));
}

export function withEnvironment(config: CollectorConfig, env: NodeJS.ProcessEnv): CollectorConfig {
  const databaseUrl = config.database.url ?? nonEmpty(env.DATABASE_URL);
  const redisUrl = config.redis?.url ?? nonEmpty(env.REDIS_URL);
  return deepFreeze({
    ...config,
    database: { ...config.database, url: databaseUrl },
    redis: redisUrl === undefined ? undefined : { url: redisUrl },
  });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** Splits `listen` into what net.Server.listen() takes; brackets around IPv6 are dropped. */
export function parseListen(listen: string): { host: string; port: number } {
  const cut = listen.lastIndexOf(':');
  const host = listen.slice(0, cut).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(listen.slice(cut + 1)) };
}
