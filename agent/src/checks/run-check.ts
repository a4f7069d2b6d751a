import { performance } from 'node:perf_hooks';
import { formatDuration, type Logger } from '@hostpulse/shared';
import type { CheckIdentity, Sampler, SampleResult, SeriesValue } from '../samplers/sampler.js';
import type { Check, CheckDefinition, CheckReport } from './check.js';
import type { CheckSection } from './config.js';

// A check as the cycle sees it: a sampler whose sample() runs the check once under its own
// timeout and always answers by then, up or down. On timeout the check's signal aborts (it
// closes its sockets); should a check not settle anyway (a file call on a hung mount cannot be
// cancelled), the next cycles report it down without starting another run, so runs never pile
// up and a hung target never holds the cycle or the other checks.

export interface CheckSamplerOptions {
  readonly definition: CheckDefinition;
  readonly section: CheckSection;
  readonly intervalMs: number;
  /** The agent's logger; the check gets a child bound to { check: name }. */
  readonly log: Logger;
}

/** The prefix of a check's entry in the sampler set (`check:db`); check names hold no colon. */
export const CHECK_PREFIX = 'check:';

// A check must end within its cycle, whatever its `timeout` says: half the interval leaves the
// other half for the samplers' own timeouts and writing the batch.
export function effectiveTimeoutMs(timeoutMs: number, intervalMs: number): number {
  return Math.max(1, Math.min(timeoutMs, Math.floor(intervalMs / 2)));
}

const STILL_RUNNING = 'its previous run has not ended yet, so it was not started again';
// Event messages are kept short: an alert quotes them, one line.
const MAX_REASON_CHARS = 500;

export function createCheckSampler(options: CheckSamplerOptions): Sampler {
  const { definition, section } = options;
  const identity: CheckIdentity = { name: section.name, type: definition.type };
  const log = options.log.child({ check: section.name });
  const timeoutMs = effectiveTimeoutMs(section.timeoutMs, options.intervalMs);
  const check = definition.create({ name: section.name, log, timeoutMs }, section as never);
  let running = false;

  return {
    async sample(): Promise<SampleResult> {
      if (running) return down(identity, STILL_RUNNING);
      running = true;
      const controller = new AbortController();
      // Started on the next tick, so a check that throws before its first await still rejects.
      const run = Promise.resolve().then(() => check.run(controller.signal));
      const settled = () => {
        running = false;
      };
      void run.then(settled, settled);
      return race(identity, run, controller, timeoutMs);
    },
  };
}

async function race(
  identity: CheckIdentity,
  run: Promise<CheckReport>,
  controller: AbortController,
  timeoutMs: number,
): Promise<SampleResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const report = await Promise.race([run, timedOut]);
    if (report === 'timeout') {
      const reason = `timed out after ${formatDuration(timeoutMs)}`;
      controller.abort(new Error(reason));
      return down(identity, reason);
    }
    return up(identity, report, performance.now() - started);
  } catch (err) {
    return down(identity, reasonOf(err));
  } finally {
    clearTimeout(timer);
  }
}

function up(identity: CheckIdentity, report: CheckReport, elapsedMs: number): SampleResult {
  const labels = { check: identity.name, type: identity.type };
  const latencyMs = report.latencyMs ?? elapsedMs;
  const series: SeriesValue[] = [
    { metric: 'check_up', labels, value: 1 },
    { metric: 'check_latency_seconds', labels, value: latencyMs / 1000 },
    ...(report.figures ?? []).map((f) => ({
      metric: f.metric,
      labels: { check: identity.name },
      value: f.value,
    })),
  ];
  const problems = (report.troubles ?? []).map((t) => ({
    source: t.source,
    message: cleanReason(t.message),
  }));
  return { series, problems };
}

function down(identity: CheckIdentity, reason: string): SampleResult {
  const labels = { check: identity.name, type: identity.type };
  return {
    series: [{ metric: 'check_up', labels, value: 0 }],
    problems: [{ source: `${CHECK_PREFIX}${identity.name}`, message: reason, check: identity }],
  };
}

/** The error's own text, on one line, without credentials, cut to a readable length. */
export function reasonOf(err: unknown): string {
  return cleanReason(messageOf(err));
}

function messageOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // Node's connect to a name with several addresses fails with an AggregateError whose own
  // message is empty; the reasons are those of each address.
  if (err instanceof AggregateError && err.message === '') {
    return err.errors.map((e: unknown) => messageOf(e)).join('; ');
  }
  const code = (err as NodeJS.ErrnoException).code;
  return err.message || code || err.name;
}

function cleanReason(text: string): string {
  const line = text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\/\/[^/@\s]*@/g, '//***@');
  return line.length > MAX_REASON_CHARS ? `${line.slice(0, MAX_REASON_CHARS - 3)}...` : line;
}
