import { readFileSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import {
  HostpulseError,
  isHostpulseError,
  parseDuration,
  printError,
  printJson,
  printLine,
  quote,
} from '@hostpulse/shared';
import type { ProgressStream } from '../simulate/progress.js';
import {
  GOODBYE_DEADLINE_MS,
  runSimulation,
  type SimulationOptions,
  type SimulationSummary,
} from '../simulate/simulation.js';

// `hostpulse-collector simulate` (SPEC §5.1): a synthetic fleet over the real ingest API, for
// demos, seeding and load tests. The collector does not tie an agent token to an agent id, so
// one token serves the whole fleet; each simulated agent still has its own id and incarnation.

export const SIMULATE_USAGE = `Usage: hostpulse-collector simulate --url URL [options]

  --url URL               the collector, e.g. http://127.0.0.1:8080 (required)
  --token-file FILE       an agent token (else env HOSTPULSE_AGENT_TOKEN); one serves all agents
  --agents N              simulated hosts (default 10)
  --interval DURATION     sampling interval of each agent (default 10s)
  --duration DURATION     real-time run length (default 60s; 0 runs until Ctrl-C);
                          with --backfill there is no real-time run unless this is given.
                          When it ends (or on Ctrl-C) each agent says goodbye as a stopped
                          agent does, so its host shows as stopped, not down (within
                          ${GOODBYE_DEADLINE_MS / 1000} s; a second Ctrl-C ends at once).
                          A backfill alone says no goodbye.
  --no-goodbye            end a real-time run without the goodbyes: for load tests that
                          measure the steady state (all agents saying goodbye at once is a
                          burst of their own); the hosts then go down after host_down_after
  --backfill DURATION     first write this much history, as fast as the collector takes it
  --batch-cycles N        cycles per batch in the backfill (default 1, as a live agent sends)
  --connections N         requests in flight at once (default 16)
  --seed N                makes the fleet and its values repeatable (default random, printed)
  --incidents N           incidents per host per day: disk filling, stale backup, failing check
                          (default 0.5; 0 for none)
  --prefix NAME           agent ids and host names start with it (default sim)
  --timeout DURATION      per request (default 10s)
  --progress-every DURATION  progress line period when stderr is not a terminal (default 5s)
  --json                  print the summary as JSON`;

const EXIT_USAGE = 2;
const MAX_SEED = 2 ** 31 - 1;

export interface SimulateIo {
  readonly stderr: ProgressStream;
}

/** Parses the flags, runs the fleet, prints the summary; returns the exit code. */
export async function runSimulate(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: SimulateIo = { stderr: process.stderr },
): Promise<number> {
  let parsed: ParsedFlags;
  try {
    parsed = parseSimulateFlags(argv, env);
  } catch (err) {
    if (!isHostpulseError(err, 'bad_request')) throw err;
    printError(`hostpulse-collector simulate: ${err.message}`);
    printError('Run hostpulse-collector simulate --help for the flags.');
    return EXIT_USAGE;
  }
  if (parsed === 'help') {
    printLine(SIMULATE_USAGE);
    return 0;
  }

  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  io.stderr.write(`simulating ${parsed.options.agents} agents with seed ${parsed.options.seed}\n`);
  try {
    const summary = await runSimulation(parsed.options, io.stderr, stop.signal);
    report(summary, parsed.json);
    if (summary.unstoppedHosts > 0) io.stderr.write(`${unstoppedLine(summary)}\n`);
    return summary.failed === 0 ? 0 : 1;
  } catch (err) {
    if (!isHostpulseError(err, 'unauthorized')) throw err;
    printError(`hostpulse-collector simulate: ${err.message}`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
}

type ParsedFlags = 'help' | { readonly options: SimulationOptions; readonly json: boolean };

export function parseSimulateFlags(argv: readonly string[], env: NodeJS.ProcessEnv): ParsedFlags {
  const { values, positionals } = parseFlags(argv);
  if (values.help) return 'help';
  if (positionals.length > 0) throw usage(`unexpected argument ${quote(positionals[0])}`);
  if (values.url === undefined) {
    throw usage('--url is required (the collector, e.g. http://127.0.0.1:8080)');
  }

  const backfillMs =
    values.backfill === undefined ? undefined : duration('--backfill', values.backfill, 1);
  const defaultDuration = backfillMs === undefined ? '60s' : undefined;
  const durationText = values.duration ?? defaultDuration;
  const options: SimulationOptions = {
    url: checkUrl(values.url),
    token: readToken(values['token-file'], env),
    agents: integer('--agents', values.agents ?? '10', 1, 1_000_000),
    intervalMs: duration('--interval', values.interval ?? '10s', 10),
    durationMs: durationText === undefined ? undefined : duration('--duration', durationText, 0),
    backfillMs,
    batchCycles: integer('--batch-cycles', values['batch-cycles'] ?? '1', 1, 10_000),
    seed: seedOf(values.seed),
    prefix: checkPrefix(values.prefix ?? 'sim'),
    incidentsPerHostPerDay: number('--incidents', values.incidents ?? '0.5', 0, 1000),
    connections: integer('--connections', values.connections ?? '16', 1, 10_000),
    timeoutMs: duration('--timeout', values.timeout ?? '10s', 1),
    progressEveryMs: duration('--progress-every', values['progress-every'] ?? '5s', 1),
    goodbye: values['no-goodbye'] !== true,
  };
  return { options, json: values.json === true };
}

function parseFlags(argv: readonly string[]) {
  const text = { type: 'string' } as const;
  try {
    return parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        url: text,
        'token-file': text,
        agents: text,
        interval: text,
        duration: text,
        backfill: text,
        'batch-cycles': text,
        connections: text,
        seed: text,
        incidents: text,
        prefix: text,
        timeout: text,
        'progress-every': text,
        json: { type: 'boolean' },
        'no-goodbye': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw usage((err as Error).message);
  }
}

/** The given seed, or a random one (printed at start, so the run can be repeated). */
function seedOf(text: string | undefined): number {
  return text === undefined ? randomInt(1, MAX_SEED) : integer('--seed', text, 0, MAX_SEED);
}

function readToken(file: string | undefined, env: NodeJS.ProcessEnv): string {
  if (file === undefined) {
    const fromEnv = env.HOSTPULSE_AGENT_TOKEN?.trim();
    if (fromEnv) return fromEnv;
    const how = 'make one with: hostpulse-collector token create --agent simulator';
    const where = '--token-file FILE or env HOSTPULSE_AGENT_TOKEN';
    throw usage(`an agent token is needed: ${where} (${how})`);
  }
  let token: string;
  try {
    token = readFileSync(file, 'utf8').trim();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw usage(`--token-file: cannot read ${quote(file)} (${code})`);
  }
  if (token === '') throw usage(`--token-file: ${quote(file)} is empty`);
  return token;
}

function checkUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usage(`--url: ${quote(text)} is not a URL (write http://127.0.0.1:8080)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw usage(`--url: ${quote(text)} must start with http:// or https://`);
  }
  return url.toString();
}

function checkPrefix(text: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/.test(text)) {
    throw usage(`--prefix: ${quote(text)} may hold letters, digits and . _ - (up to 40)`);
  }
  return text;
}

function duration(flag: string, text: string, minMs: number): number {
  const ms = parseDuration(text);
  if (ms === undefined) {
    throw usage(`${flag}: ${quote(text)} is not a duration (write 500ms, 10s, 5m or 1h)`);
  }
  if (ms < minMs) throw usage(`${flag}: ${quote(text)} is too short (at least ${minMs} ms)`);
  return ms;
}

function integer(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw usage(`${flag}: ${quote(text)} is not a whole number from ${min} to ${max}`);
  }
  return value;
}

function number(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw usage(`${flag}: ${quote(text)} is not a number from ${min} to ${max}`);
  }
  return value;
}

function report(summary: SimulationSummary, json: boolean): void {
  if (json) {
    printJson(summary);
    return;
  }
  const rate = Math.round(summary.samplesPerSecond).toLocaleString('en-US');
  const latency = `p50 ${summary.p50Ms.toFixed(1)} ms, p99 ${summary.p99Ms.toFixed(1)} ms`;
  const what = `${summary.batches} batches (${summary.samples} samples)`;
  const saidGoodbye = summary.stoppedHosts + summary.unstoppedHosts > 0;
  printLine(
    `stored ${what} from ${summary.agents} agents ` +
      `in ${summary.seconds.toFixed(1)} s: ${rate} samples/s, ${latency}; ` +
      `${summary.duplicates} duplicates, ${summary.retries} retries, ${summary.failed} failed` +
      (saidGoodbye ? `; ${summary.stoppedHosts} hosts marked stopped` : ''),
  );
  if (summary.firstFailure !== undefined) printError(`first failure: ${summary.firstFailure}`);
}

/** Why some hosts will turn down, and what the operator will see because of it. */
function unstoppedLine(summary: SimulationSummary): string {
  const hosts = summary.stoppedHosts + summary.unstoppedHosts;
  const seconds = GOODBYE_DEADLINE_MS / 1000;
  return (
    `hostpulse-collector simulate: ${summary.unstoppedHosts} of ${hosts} hosts were not marked ` +
    `stopped within ${seconds} s (${summary.goodbyeFailure ?? 'no answer'}); they will show as ` +
    "down, with host-down alerts, after the collector's host_down_after"
  );
}

function usage(message: string): HostpulseError {
  return new HostpulseError('bad_request', message);
}
