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
  const results = await Promise.all(set.map((active) => sampleOne(active, nowMs, options)));
  return {
    values: results.flatMap((r) => r.values),
    problems: results.flatMap((r) => r.problems),
  };
}

async function sampleOne(
  active: ActiveSampler,
  nowMs: number,
  options: SampleAllOptions,
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
  let onHurry: (() => void) | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    onHurry = () => resolve('timeout');
    timer = setTimeout(onHurry, timeoutMs);
    if (hurry?.aborted) resolve('timeout');
    hurry?.addEventListener('abort', onHurry, { once: true });
  });
  try {
    const result = await Promise.race([settled, timeout]);
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
      })),
    };
  } catch (err) {
    return failed((err as Error).message);
  } finally {
    clearTimeout(timer);
    if (onHurry) hurry?.removeEventListener('abort', onHurry);
  }
}
