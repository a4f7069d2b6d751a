import type { CheckIdentity, SeriesValue } from './samplers/sampler.js';
import type { ActiveSampler } from './sampler-set.js';

// One sampling pass: every enabled sampler and service check runs at once, each under its own
// timeout, so one hung source costs its own series and nothing else.

export interface CycleProblem {
  readonly sampler: string;
  readonly source: string;
  readonly message: string;
  /** Set when a service check is down (problem-tracker.ts sends it as a check event). */
  readonly check?: CheckIdentity;
  /** Labels naming the series the problem explains (SampleProblem.explains). */
  readonly explains?: Readonly<Record<string, string>>;
}

export interface SampledValues {
  readonly values: readonly SeriesValue[];
  readonly problems: readonly CycleProblem[];
}

export interface SampleAllOptions {
  readonly timeoutMs: number;
  /** Aborted when the agent is stopping: samplers still running are given up at once. */
  readonly hurry?: AbortSignal;
}

export async function sampleAll(
  set: readonly ActiveSampler[],
  nowMs: number,
  options: SampleAllOptions,
): Promise<SampledValues> {
  const { hurry } = options;
  // One listener for the whole pass, however many samplers and checks it runs (one per entry
  // would pass Node's limit of 10 listeners on one signal and print a leak warning).
  let onHurry: (() => void) | undefined;
  const hurried = new Promise<'timeout'>((resolve) => {
    onHurry = () => resolve('timeout');
    if (hurry?.aborted) resolve('timeout');
    hurry?.addEventListener('abort', onHurry, { once: true });
  });
  try {
    const results = await Promise.all(
      set.map((active) => sampleOne(active, nowMs, options, hurried)),
    );
    return {
      values: results.flatMap((r) => r.values),
      problems: results.flatMap((r) => r.problems),
    };
  } finally {
    if (onHurry) hurry?.removeEventListener('abort', onHurry);
  }
}

async function sampleOne(
  active: ActiveSampler,
  nowMs: number,
  options: SampleAllOptions,
  hurried: Promise<'timeout'>,
): Promise<SampledValues> {
  const { timeoutMs, hurry } = options;
  const { name } = active;
  const failed = (message: string): SampledValues => ({
    values: [],
    problems: [{ sampler: name, source: name, message }],
  });
  if (active.pending) return failed('still running from an earlier cycle');
  const call = active.sampler.sample(nowMs);
  active.pending = call;
  const settled = call.finally(() => {
    active.pending = undefined;
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const result = await Promise.race([settled, timeout, hurried]);
    if (result === 'timeout') {
      // The call goes on in the background; `pending` keeps the next cycle from stacking another.
      settled.catch(() => undefined);
      const late = `did not finish within ${timeoutMs} ms`;
      return failed(hurry?.aborted ? 'given up: the agent is stopping' : late);
    }
    return {
      values: result.series,
      problems: result.problems.map((p) => ({
        sampler: name,
        source: p.source,
        message: p.message,
        ...(p.check ? { check: p.check } : {}),
        ...(p.explains ? { explains: p.explains } : {}),
      })),
    };
  } catch (err) {
    return failed((err as Error).message);
  } finally {
    clearTimeout(timer);
  }
}
