import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Type, type Static, type TObject, type TSchema } from '@sinclair/typebox';
import {
  Duration,
  formatDuration,
  HostpulseError,
  Secret,
  Size,
  loadConfigFile,
  quote,
  type Loaded,
} from '@hostpulse/shared';
import { backupConfigProblems, backupsConfig } from './backups/config.js';
import { checkProblems, checksSchema, type CheckSection } from './checks/config.js';
import { samplers } from './samplers/index.js';

// agent.yaml (SPEC §3.2), assembled from one schema per section. The samplers section has one
// key per entry of the sampler registry, each `{ enabled, ...that sampler's own options }`, so a
// new sampler brings its options with it and this file does not change.

export const DEFAULT_CONFIG_FILE = '/etc/hostpulse/agent.yaml';
export const TOKEN_ENV = 'HOSTPULSE_AGENT_TOKEN';
export const CONFIG_ENV = 'HOSTPULSE_AGENT_CONFIG';

const collectorSection = Type.Object({
  url: Type.String({ format: 'uri' }),
  token: Type.Optional(Secret()),
  token_file: Type.Optional(Type.String({ minLength: 1 })),
  ca_file: Type.Optional(Type.String({ minLength: 1 })),
  timeout: Duration({ default: '10s' }),
});

const hostSection = Type.Object(
  {
    id: Type.String({ minLength: 1, default: 'auto' }),
    name: Type.String({ minLength: 1, default: 'auto' }),
  },
  { default: {} },
);

const bufferSection = Type.Object(
  {
    path: Type.String({ minLength: 1, default: '/var/lib/hostpulse/agent.db' }),
    max_bytes: Size({ default: '256MiB' }),
    max_age: Duration({ default: '7d' }),
  },
  { default: {} },
);

const logLevel = Type.Union(
  ['fatal', 'error', 'warn', 'info', 'debug', 'trace'].map((level) => Type.Literal(level)),
  { default: 'info' },
);

function samplersSection(): TObject {
  const sections: Record<string, TSchema> = {};
  for (const sampler of samplers) {
    const own = sampler.config as TObject;
    sections[sampler.name] = Type.Object(
      { enabled: Type.Boolean({ default: true }), ...own.properties },
      { default: {} },
    );
  }
  return Type.Object(sections, { default: {} });
}

export const agentConfigSchema = Type.Object({
  collector: collectorSection,
  interval: Duration({ default: '10s' }),
  host: hostSection,
  labels: Type.Record(Type.String(), Type.String(), { default: {} }),
  root: Type.String({ minLength: 1, default: '/' }),
  buffer: bufferSection,
  samplers: samplersSection(),
  backups: backupsConfig,
  checks: checksSchema(),
  log_level: logLevel,
});

/** One sampler's section after loading: `enabled` plus its own options, camelCased. */
export type SamplerSection = Readonly<{ enabled: boolean } & Record<string, unknown>>;

type LoadedShape = Loaded<Static<typeof agentConfigSchema>>;

export type AgentConfig = Omit<LoadedShape, 'samplers' | 'checks' | 'logLevel'> & {
  readonly samplers: Readonly<Record<string, SamplerSection>>;
  readonly checks: readonly CheckSection[];
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
};

/** The loaded file plus what it points to: the token and the CA, read once at load. */
export interface AgentSettings {
  readonly file: string;
  readonly config: AgentConfig;
  /** undefined when no token is configured anywhere: the collector will answer 401. */
  readonly token: string | undefined;
  readonly ca: string | undefined;
}

const MIN_INTERVAL_MS = 1000;
const MAX_INTERVAL_MS = 3_600_000;

/**
 * Loads and checks agent.yaml. Throws one `config_invalid` HostpulseError whose
 * details.problems holds every problem as `file: key.path: what is wrong`.
 */
export function loadAgentSettings(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): AgentSettings {
  const config = loadConfigFile(agentConfigSchema, file) as unknown as AgentConfig;
  const name = basename(file);
  const problems: string[] = [];
  const problem = (path: string, what: string) => problems.push(`${name}: ${path}: ${what}`);

  const { collector } = config;
  if (!/^https?:$/.test(new URL(collector.url).protocol)) {
    problem('collector.url', `${quote(collector.url)} must start with http:// or https://`);
  }
  if (collector.token !== undefined && collector.tokenFile !== undefined) {
    problem('collector.token_file', 'give either token or token_file, not both');
  }
  if (collector.timeoutMs <= 0) problem('collector.timeout', 'must be longer than 0s');
  if (config.intervalMs < MIN_INTERVAL_MS) {
    problem('interval', `${config.intervalMs}ms is shorter than the smallest interval, 1s`);
  }
  if (config.intervalMs > MAX_INTERVAL_MS) {
    // Past this an agent is no monitor, and Node timers overflow at 2^31 ms (about 24.8 days).
    problem('interval', `${formatDuration(config.intervalMs)} is longer than the largest, 1h`);
  }
  if (collector.timeoutMs > MAX_INTERVAL_MS) {
    problem('collector.timeout', `${formatDuration(collector.timeoutMs)} is longer than 1h`);
  }
  if (config.buffer.maxBytes < 64 * 1024) {
    const bytes = config.buffer.maxBytes;
    problem('buffer.max_bytes', `${bytes} bytes is below the smallest buffer, 64KiB`);
  }
  if (!existsSync(config.root)) problem('root', `${quote(config.root)} does not exist`);
  for (const line of checkProblems(config.checks)) problems.push(`${name}: ${line}`);
  for (const { path, message } of backupConfigProblems(config.backups)) problem(path, message);

  // Files named in the config are read now, so a missing one is refused at start (or at
  // SIGHUP, keeping the old config) instead of failing at the first send.
  const fromFile = readFileOrProblem(collector.tokenFile, 'collector.token_file', problem)?.trim();
  const token = (collector.token as string | undefined) ?? fromFile ?? env[TOKEN_ENV];
  const ca = readFileOrProblem(collector.caFile, 'collector.ca_file', problem);

  if (problems.length > 0) {
    throw new HostpulseError('config_invalid', problems.join('\n'), { problems });
  }
  return Object.freeze({ file, config, token: token === '' ? undefined : token, ca });
}

function readFileOrProblem(
  path: string | undefined,
  key: string,
  problem: (path: string, what: string) => void,
): string | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    problem(key, `${quote(path)} cannot be read (${code})`);
    return undefined;
  }
}
