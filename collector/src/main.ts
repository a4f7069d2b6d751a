import {
  createLogger,
  isHostpulseError,
  type HostpulseError,
  printError,
  printLine,
  type Logger,
} from '@hostpulse/shared';
import { runCheckConfig } from './commands/check-config.js';
import { parseInvocation, USAGE, type Command } from './commands/args.js';
import { runMigrate } from './commands/migrate.js';
import { runServe } from './commands/serve.js';
import { runSimulate } from './commands/simulate.js';
import { runTokenCreate, runTokenList, runTokenRevoke } from './commands/token.js';
import { loadCollectorConfig, type CollectorConfig } from './config.js';
import { collectorVersion } from './version.js';

// Entry point of hostpulse-collector: arguments → configuration → one command. Exit codes:
// 0 done, 1 the command failed, 2 bad usage or bad configuration. This is the only place
// that ends the process.

const EXIT_USAGE = 2;

export async function main(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let command: Command;
  let configFile: string;
  try {
    ({ command, configFile } = parseInvocation(argv, env));
  } catch (err) {
    printError(`hostpulse-collector: ${(err as Error).message}`);
    printError('Run hostpulse-collector --help for the commands.');
    return EXIT_USAGE;
  }
  if (command.kind === 'help') return printAndReturn(USAGE);
  if (command.kind === 'version') return printAndReturn(`hostpulse-collector ${collectorVersion}`);
  if (command.kind === 'simulate') return runSimulate(argv.slice(1), env);

  let config: CollectorConfig;
  try {
    config = loadCollectorConfig(configFile, env);
  } catch (err) {
    if (!isHostpulseError(err, 'config_invalid')) throw err;
    printProblems(err);
    return EXIT_USAGE;
  }
  if (command.kind === 'check-config') return runCheckConfig(config, configFile);

  const log = loggerFor(command, config);
  try {
    return await runCommand(command, config, configFile, log);
  } catch (err) {
    return reportFailure(err, command, log);
  }
}

function runCommand(
  command: Command,
  config: CollectorConfig,
  configFile: string,
  log: Logger,
): Promise<number> {
  switch (command.kind) {
    case 'migrate':
      return runMigrate(config, log);
    case 'token-create':
      return runTokenCreate(config, log, command);
    case 'token-list':
      return runTokenList(config, log);
    case 'token-revoke':
      return runTokenRevoke(config, log, command.name);
    default:
      return runServe(config, configFile, log);
  }
}

/** The daemon logs JSON to stdout for the journal; CLI commands keep stdout for their answer. */
function loggerFor(command: Command, config: CollectorConfig): Logger {
  const name = 'hostpulse-collector';
  if (command.kind === 'serve') return createLogger({ name, level: config.logLevel });
  const verbose = config.logLevel === 'debug' || config.logLevel === 'trace';
  return createLogger({ name, level: verbose ? config.logLevel : 'warn', destination: process.stderr });
}

function reportFailure(err: unknown, command: Command, log: Logger): number {
  if (isHostpulseError(err, 'config_invalid')) {
    printProblems(err);
    return EXIT_USAGE;
  }
  if (command.kind === 'serve') {
    log.fatal(fatalFields(err), 'collector cannot run');
  } else {
    printError(`hostpulse-collector: ${describe(err)}`);
  }
  return 1;
}

/**
 * A HostpulseError without a cause is one we worded in full (`cannot listen on …: the address
 * is already in use`): its stack shows only where we threw it and would repeat the message, so
 * the message is logged once, as `reason`. Anything else keeps its stack and its causes.
 */
function fatalFields(err: unknown): Record<string, unknown> {
  if (isHostpulseError(err) && err.cause === undefined) {
    return { ...err.details, code: err.code, reason: err.message };
  }
  return { err };
}

/** One line per configuration problem, as the loader worded them. */
function printProblems(err: HostpulseError): void {
  const problems = err.details.problems as readonly string[] | undefined;
  for (const line of problems ?? [err.message]) printError(line);
}

/**
 * The message, and its cause's when it adds something: most of our wrappers already quote the
 * cause (PostgreSQL's `database "x" does not exist` was printed twice).
 */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? err.cause.message : '';
  return cause === '' || err.message.includes(cause) ? err.message : `${err.message} (${cause})`;
}

function printAndReturn(text: string): number {
  printLine(text);
  return 0;
}

/** Runs main() for the bin script and ends the process with its exit code. */
export function run(argv: readonly string[]): void {
  main(argv).then(
    (code) => process.exit(code),
    (err: unknown) => {
      const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
      printError(`hostpulse-collector: unexpected failure: ${text}`);
      process.exit(1);
    },
  );
}
