import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { isHostpulseError } from '@hostpulse/shared';
import { createFleet, type SimHost } from './fleet.js';
import type { ModelOptions } from './host-model.js';
import { InFlight } from './in-flight.js';
import { Progress, type ProgressStream } from './progress.js';
import { agentOffsetMs, backfillCycles, planBackfill } from './schedule.js';
import { Sender, type SendStats } from './sender.js';
import { buildBatch, buildGoodbye } from './sim-batch.js';

// A simulation run: a fleet, a sender, then the backfill (history as fast as the collector
// takes it) and/or the real-time phase (one batch per agent per interval, on the clock). A
// real-time phase ends, on its duration or on a stop, as agents stopped on purpose end: each
// says goodbye (Batch.stopping), so its host shows as stopped and no host-down alert follows.
// A backfill alone sends none: it writes history for seeding and load tests, not a live fleet.

/** How long the goodbyes may take in all; an agent stopping has 5 s for everything. */
export const GOODBYE_DEADLINE_MS = 3_000;

export interface SimulationOptions {
  readonly url: string;
  readonly token: string;
  readonly agents: number;
  readonly intervalMs: number;
  /** Real-time phase length; 0 runs until stopped, undefined skips it. */
  readonly durationMs: number | undefined;
  /** History to write first; undefined skips it. */
  readonly backfillMs: number | undefined;
  readonly batchCycles: number;
  readonly seed: number;
  readonly prefix: string;
  readonly incidentsPerHostPerDay: number;
  readonly connections: number;
  readonly timeoutMs: number;
  readonly progressEveryMs: number;
  /** False: a real-time run ends without the goodbyes (default true). */
  readonly goodbye?: boolean;
}

export interface SimulationSummary {
  readonly agents: number;
  readonly seed: number;
  readonly batches: number;
  readonly duplicates: number;
  readonly samples: number;
  readonly failed: number;
  readonly retries: number;
  readonly firstFailure: string | undefined;
  readonly seconds: number;
  readonly samplesPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Hosts of a real-time run whose goodbye the collector acknowledged: they show as stopped. */
  readonly stoppedHosts: number;
  /** Hosts whose goodbye got no acknowledgement in GOODBYE_DEADLINE_MS: they will turn down. */
  readonly unstoppedHosts: number;
  readonly goodbyeFailure: string | undefined;
}

interface Goodbyes {
  readonly stopped: number;
  readonly missed: number;
  readonly failure: string | undefined;
}

const NO_GOODBYES: Goodbyes = { stopped: 0, missed: 0, failure: undefined };

/** What both phases share. */
interface Run {
  readonly fleet: readonly SimHost[];
  readonly model: ModelOptions;
  readonly options: SimulationOptions;
  readonly sender: Sender;
  readonly stderr: ProgressStream;
  readonly signal: AbortSignal;
}

export async function runSimulation(
  options: SimulationOptions,
  stderr: ProgressStream,
  signal: AbortSignal,
): Promise<SimulationSummary> {
  const fleet = createFleet({ agents: options.agents, seed: options.seed, prefix: options.prefix });
  const model: ModelOptions = {
    seed: options.seed,
    perHostPerDay: options.incidentsPerHostPerDay,
    intervalMs: options.intervalMs,
  };
  // Each send under way may wait on the signal (a retry's sleep, a goodbye's request): up to
  // --connections listeners at once, past Node's default warning threshold of 10.
  setMaxListeners(options.connections + 1, signal);
  const sender = new Sender({ ...options, signal });
  const run: Run = { fleet, model, options, sender, stderr, signal };
  const started = performance.now();
  let ranLive = false;
  try {
    if (options.backfillMs !== undefined) await backfill(run, options.backfillMs);
    if (options.durationMs !== undefined && !signal.aborted) {
      await realTime(run, options.durationMs);
      ranLive = true;
    }
  } finally {
    await sender.close();
  }
  // Timed before the goodbyes: samples/s and latency describe the data sent.
  const seconds = (performance.now() - started) / 1000;
  const goodbyes = ranLive && options.goodbye !== false ? await sayGoodbye(run) : NO_GOODBYES;
  return summarize(options, sender.stats, seconds, goodbyes);
}

async function backfill(run: Run, backfillMs: number): Promise<void> {
  const { fleet, options, signal } = run;
  const { intervalMs, batchCycles } = options;
  const plan = planBackfill(Date.now(), backfillMs, intervalMs, batchCycles);
  const progress = new Progress({
    label: 'backfill',
    total: plan.batchesPerAgent * fleet.length,
    stream: run.stderr,
    everyMs: options.progressEveryMs,
  });
  const done = { batches: 0, samples: 0 };
  const inFlight = new InFlight(options.connections);
  const stopped = () => signal.aborted || inFlight.failed;

  // Batch-major order: every agent's first batch, then every agent's second, and so on, so the
  // collector receives history roughly in time order, as after a fleet-wide outage.
  for (let batch = 0; batch < plan.batchesPerAgent && !stopped(); batch++) {
    for (const host of fleet) {
      if (stopped()) break;
      const offsetMs = agentOffsetMs(host.index, fleet.length, intervalMs);
      const cycles = backfillCycles(plan, batch, batchCycles, offsetMs, intervalMs);
      await inFlight.start(() => sendCycles(run, host, cycles, done, progress));
    }
  }
  try {
    await inFlight.drain();
  } finally {
    progress.finish(done);
  }
}

async function realTime(run: Run, durationMs: number): Promise<void> {
  const { fleet, options, signal } = run;
  const { intervalMs } = options;
  const forever = durationMs === 0;
  const cycles = forever ? Infinity : Math.max(1, Math.floor(durationMs / intervalMs));
  // Run until stopped, it has no end to count towards, so no progress either.
  const progress = forever
    ? undefined
    : new Progress({
        label: 'real time',
        total: cycles * fleet.length,
        stream: run.stderr,
        everyMs: options.progressEveryMs,
      });
  const done = { batches: 0, samples: 0 };
  const inFlight = new InFlight(options.connections);
  const stopped = () => signal.aborted || inFlight.failed;
  const startMs = Date.now();

  for (let cycle = 0; cycle < cycles && !stopped(); cycle++) {
    for (const host of fleet) {
      const offsetMs = agentOffsetMs(host.index, fleet.length, intervalMs);
      const dueMs = startMs + cycle * intervalMs + offsetMs;
      const waitMs = dueMs - Date.now();
      if (waitMs > 1) await sleep(waitMs, undefined, { signal }).catch(() => undefined);
      if (stopped()) break;
      await inFlight.start(() => sendCycles(run, host, [dueMs], done, progress));
    }
  }
  try {
    await inFlight.drain();
  } finally {
    progress?.finish(done);
  }
}

/**
 * One last batch marked stopping for each host that sent anything, as a real agent sends on
 * SIGTERM. Bounded by GOODBYE_DEADLINE_MS, requests in flight included, so Ctrl-C ends the run
 * promptly even when the collector does not answer; a second Ctrl-C ends it at once (the
 * signal handlers are gone by then). Hosts not told are counted, and their first failure kept.
 */
async function sayGoodbye(run: Run): Promise<Goodbyes> {
  const hosts = run.fleet.filter((host) => host.seq > 1);
  if (hosts.length === 0) return NO_GOODBYES;
  const deadline = AbortSignal.timeout(GOODBYE_DEADLINE_MS);
  setMaxListeners(run.options.connections + 1, deadline);
  const sender = new Sender({ ...run.options, signal: deadline, abortsRequests: true });
  const inFlight = new InFlight(run.options.connections);
  let refused: string | undefined;
  try {
    for (const host of hosts) {
      if (deadline.aborted || inFlight.failed) break;
      await inFlight.start(() => sender.send(buildGoodbye(host, run.model)));
    }
    await inFlight.drain();
  } catch (err) {
    // A refused token: no goodbye can get through, so the hosts left are counted as missed,
    // with the collector's answer as the reason.
    if (!isHostpulseError(err, 'unauthorized')) throw err;
    refused = err.message;
  } finally {
    await sender.close();
  }
  const stopped = sender.stats.batches + sender.stats.duplicates;
  const failure = refused ?? sender.stats.firstFailure;
  return { stopped, missed: hosts.length - stopped, failure };
}

interface Done {
  batches: number;
  samples: number;
}

async function sendCycles(
  run: Run,
  host: SimHost,
  cyclesMs: readonly number[],
  done: Done,
  progress: Progress | undefined,
): Promise<void> {
  const batch = buildBatch(host, cyclesMs, run.model);
  await run.sender.send(batch);
  done.batches++;
  done.samples += batch.samples;
  progress?.update(done);
}

function summarize(
  options: SimulationOptions,
  stats: SendStats,
  seconds: number,
  goodbyes: Goodbyes,
): SimulationSummary {
  return {
    agents: options.agents,
    seed: options.seed,
    batches: stats.batches,
    duplicates: stats.duplicates,
    samples: stats.samples,
    failed: stats.failed,
    retries: stats.retries,
    firstFailure: stats.firstFailure,
    seconds,
    samplesPerSecond: seconds > 0 ? stats.samples / seconds : 0,
    p50Ms: stats.latency.percentile(50),
    p99Ms: stats.latency.percentile(99),
    stoppedHosts: goodbyes.stopped,
    unstoppedHosts: goodbyes.missed,
    goodbyeFailure: goodbyes.failure,
  };
}
