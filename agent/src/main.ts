import { parseArgs } from 'node:util';
import {
  createLogger,
  isHostpulseError,
  printError,
  printJson,
  printLine,
  redactSecrets,
  type Logger,
} from '@hostpulse/shared';
import {
  CONFIG_ENV,
  DEFAULT_CONFIG_FILE,
  loadAgentSettings,
  type AgentSettings,
} from './config.js';
import { exitProcess } from './exit.js';
import { runOnce } from './once.js';
import { AgentRuntime } from './runtime.js';
import { agentVersion } from './version.js';

// hostpulse-agent: flags → config → daemon, --once or --check-config. The only module that
// ends the process (through exit.ts); everything else returns or throws.

const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_CONFIG = 2;
// SIGTERM must end the process within 5 s (SPEC §3.1), even if a step hangs.
const STOP_GUARD_MS = 4500;

const HELP = `Usage: hostpulse-agent [--config FILE]        run the agent
       hostpulse-agent --once [--json]          sample once, show buffer and collector state
       hostpulse-agent --check-config           validate and print the effective configuration
       hostpulse-agent --version | --help

Options:
  -c, --config FILE   configuration file (default ${DEFAULT_CONFIG_FILE}, env ${CONFIG_ENV})
      --once          diagnostics: exit 0 all well, 1 a sampler, a check or the
                      collector failed, 2 bad configuration
      --json          with --once: print JSON instead of tables
      --check-config  exit 0 when the configuration is valid, 2 when not
  -V, --version       print the version
  -h, --help          print this help

Signals: SIGTERM stops cleanly (last batch sent, marked stopping); SIGHUP reloads the config.
Documentation: docs/agent.md`;

interface Flags {
  config?: string;
  once?: boolean;
  json?: boolean;
  'check-config'?: boolean;
  version?: boolean;
  help?: boolean;
}

function parseFlags(argv: readonly string[]): Flags {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      config: { type: 'string', short: 'c' },
      once: { type: 'boolean' },
      json: { type: 'boolean' },
      'check-config': { type: 'boolean' },
      version: { type: 'boolean', short: 'V' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  return values;
}

/** Runs the command line; resolves with an exit code, or 'running' while the daemon runs. */
export async function runCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number | 'running'> {
  let flags: Flags;
  try {
    flags = parseFlags(argv);
  } catch (err) {
    printError(`hostpulse-agent: ${(err as Error).message}`);
    printError('try hostpulse-agent --help');
    return EXIT_CONFIG;
  }
  if (flags.help) {
    printLine(HELP);
    return EXIT_OK;
  }
  if (flags.version) {
    printLine(agentVersion());
    return EXIT_OK;
  }
  const file = flags.config ?? env[CONFIG_ENV] ?? DEFAULT_CONFIG_FILE;
  const settings = loadOrReport(file, env);
  if (!settings) return EXIT_CONFIG;
  if (flags['check-config']) return checkConfig(settings);
  if (flags.once) return runOnce({ settings, json: flags.json === true });
  return startDaemon(settings, env);
}

function loadOrReport(file: string, env: NodeJS.ProcessEnv): AgentSettings | undefined {
  try {
    return loadAgentSettings(file, env);
  } catch (err) {
    if (!isHostpulseError(err, 'config_invalid')) throw err;
    for (const line of problemLines(err.details.problems, err.message)) printError(line);
    return undefined;
  }
}

function problemLines(problems: unknown, fallback: string): string[] {
  return Array.isArray(problems) ? problems.map(String) : [fallback];
}

function checkConfig(settings: AgentSettings): number {
  printLine(`${settings.file}: configuration is valid.`);
  printLine('Effective configuration (durations in ms, sizes in bytes):');
  const noToken = '(none: the collector will refuse batches)';
  printJson({
    ...(redactSecrets(settings.config) as object),
    resolvedToken: settings.token === undefined ? noToken : '[redacted]',
  });
  return EXIT_OK;
}

function startDaemon(settings: AgentSettings, env: NodeJS.ProcessEnv): number | 'running' {
  const level = env.HOSTPULSE_LOG_LEVEL ?? settings.config.logLevel;
  const log = createLogger({ name: 'hostpulse-agent', level });
  let runtime: AgentRuntime;
  try {
    runtime = AgentRuntime.start(settings, log);
  } catch (err) {
    log.fatal({ err }, 'agent cannot start');
    return EXIT_FAILED;
  }
  installSignals(runtime, log, env);
  return 'running';
}

function installSignals(runtime: AgentRuntime, log: Logger, env: NodeJS.ProcessEnv): void {
  let stopping = false;
  let reloading: Promise<void> = Promise.resolve();
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    setTimeout(() => {
      log.warn(
        { guardMs: STOP_GUARD_MS },
        'clean stop took too long; exiting with the buffer as it is (committed batches are safe)',
      );
      exitProcess(EXIT_OK);
    }, STOP_GUARD_MS).unref();
    void reloading
      .then(() => runtime.shutdown())
      .then(
        (result) => {
          log.info({ sent: result.sent, leftInBuffer: result.left }, 'agent stopped');
          exitProcess(EXIT_OK);
        },
        (err: unknown) => {
          log.error({ err }, 'clean stop failed; committed batches stay in the buffer');
          exitProcess(EXIT_OK);
        },
      );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => {
    if (stopping) return;
    reloading = reloading.then(() => reload(runtime, log, env));
  });
  process.on('uncaughtException', (err) => {
    log.fatal({ err }, 'unexpected error; exiting (committed batches are safe in the buffer)');
    exitProcess(EXIT_FAILED);
  });
}

async function reload(runtime: AgentRuntime, log: Logger, env: NodeJS.ProcessEnv): Promise<void> {
  const file = runtime.settings.file;
  let next: AgentSettings;
  try {
    next = loadAgentSettings(file, env);
    // Before the reload, so the new generation's child loggers take the new level.
    const previousLevel = log.level;
    log.level = env.HOSTPULSE_LOG_LEVEL ?? next.config.logLevel;
    await runtime.reload(next).catch((err: unknown) => {
      log.level = previousLevel;
      throw err;
    });
  } catch (err) {
    const problems = isHostpulseError(err, 'config_invalid')
      ? problemLines(err.details.problems, err.message)
      : undefined;
    log.error(
      { configFile: file, problems, err: problems ? undefined : err },
      'reload refused; the running configuration stays',
    );
    return;
  }
  log.info({ configFile: file, intervalMs: next.config.intervalMs }, 'configuration reloaded');
}

/** Entry point for bin/hostpulse-agent.js. */
export function main(): void {
  runCli(process.argv.slice(2)).then(
    (outcome) => {
      if (outcome !== 'running') exitProcess(outcome);
    },
    (err: unknown) => {
      printError(`hostpulse-agent: ${(err as Error).stack ?? String(err)}`);
      exitProcess(EXIT_FAILED);
    },
  );
}
