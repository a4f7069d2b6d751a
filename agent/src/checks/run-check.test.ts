import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '@hostpulse/shared';
import type { Check, CheckDefinition } from './check.js';
import type { CheckSection } from './config.js';
import { createCheckSampler, effectiveTimeoutMs, reasonOf } from './run-check.js';

// The runner with made-up checks: no network here, only the timeout, abort and reporting rules.

function definitionOf(run: Check['run']): CheckDefinition & { calls: number } {
  const definition = {
    type: 'fake',
    config: Type.Object({}),
    metrics: [],
    calls: 0,
    create: () => ({
      run: (signal: AbortSignal) => {
        definition.calls += 1;
        return run(signal);
      },
    }),
  };
  return definition;
}

function samplerOf(definition: CheckDefinition, timeoutMs = 50) {
  const section: CheckSection = { name: 'db', type: 'fake', timeoutMs };
  return createCheckSampler({ definition, section, intervalMs: 10_000, log: silentLogger() });
}

const identity = { name: 'db', type: 'fake' };

describe('a check run', () => {
  it('sends check_up 1, the latency and its figures labelled by check when up', async () => {
    const definition = definitionOf(async () => ({
      figures: [{ metric: 'postgres_cache_hit_percent', value: 99.5 }],
      latencyMs: 12,
    }));
    const result = await samplerOf(definition).sample(0);
    expect(result.series).toEqual([
      { metric: 'check_up', labels: { check: 'db', type: 'fake' }, value: 1 },
      { metric: 'check_latency_seconds', labels: { check: 'db', type: 'fake' }, value: 0.012 },
      { metric: 'postgres_cache_hit_percent', labels: { check: 'db' }, value: 99.5 },
    ]);
    expect(result.problems).toEqual([]);
  });

  it('sends check_up 0 and the reason as a check problem when down', async () => {
    const definition = definitionOf(async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    });
    const result = await samplerOf(definition).sample(0);
    expect(result.series).toEqual([
      { metric: 'check_up', labels: { check: 'db', type: 'fake' }, value: 0 },
    ]);
    expect(result.problems).toEqual([
      { source: 'check:db', message: 'connect ECONNREFUSED 127.0.0.1:5432', check: identity },
    ]);
  });

  it('reports trouble that leaves the target up as a plain problem', async () => {
    const troubles = [{ source: 'statistics', message: 'permission denied' }];
    const result = await samplerOf(definitionOf(async () => ({ troubles }))).sample(0);
    expect(result.series[0]?.value).toBe(1);
    expect(result.problems).toEqual([{ source: 'statistics', message: 'permission denied' }]);
  });

  it('answers at its timeout and aborts the run, even one that ignores the signal', async () => {
    let signal: AbortSignal | undefined;
    const definition = definitionOf((s) => {
      signal = s;
      return new Promise(() => undefined);
    });
    const sampler = samplerOf(definition, 30);
    const result = await sampler.sample(0);
    expect(result.series).toEqual([
      { metric: 'check_up', labels: { check: 'db', type: 'fake' }, value: 0 },
    ]);
    expect(result.problems[0]?.message).toBe('timed out after 30ms');
    expect(signal?.aborted).toBe(true);

    // The hung run never ended: the next cycle reports it without starting another one.
    const next = await sampler.sample(1);
    expect(definition.calls).toBe(1);
    expect(next.problems[0]).toEqual({
      source: 'check:db',
      message: 'its previous run has not ended yet, so it was not started again',
      check: identity,
    });
  });

  it('runs again once a run that outlived its timeout has ended', async () => {
    let finish: (() => void) | undefined;
    const definition = definitionOf(
      () =>
        new Promise((resolve) => {
          finish = () => resolve({});
        }),
    );
    const sampler = samplerOf(definition, 20);
    expect((await sampler.sample(0)).problems[0]?.message).toBe('timed out after 20ms');
    finish?.();
    await new Promise((resolve) => setImmediate(resolve));
    const again = sampler.sample(1);
    await new Promise((resolve) => setImmediate(resolve));
    finish?.();
    expect((await again).series[0]?.value).toBe(1);
    expect(definition.calls).toBe(2);
  });

  it('turns a check that throws before its first await into a down result', async () => {
    const definition = definitionOf(() => {
      throw new Error('bad state');
    });
    expect((await samplerOf(definition).sample(0)).problems[0]?.message).toBe('bad state');
  });
});

describe('reasonOf', () => {
  it.each([
    [
      new Error('failed for postgres://monitor:s3cret@db:5432/app'),
      'failed for postgres://***@db:5432/app',
    ],
    [new Error('line one\n  line two'), 'line one line two'],
    [Object.assign(new Error(''), { code: 'ECONNRESET' }), 'ECONNRESET'],
    [
      new AggregateError(
        [new Error('connect ECONNREFUSED ::1:25'), new Error('connect ECONNREFUSED 127.0.0.1:25')],
        '',
      ),
      'connect ECONNREFUSED ::1:25; connect ECONNREFUSED 127.0.0.1:25',
    ],
    ['a string', 'a string'],
  ])('words %s as %j', (err, expected) => {
    expect(reasonOf(err)).toBe(expected);
  });

  it('cuts a long reason', () => {
    expect(reasonOf(new Error('x'.repeat(2000)))).toHaveLength(500);
  });
});

describe('effectiveTimeoutMs', () => {
  it('keeps a check within half the interval', () => {
    expect(effectiveTimeoutMs(2000, 10_000)).toBe(2000);
    expect(effectiveTimeoutMs(8000, 10_000)).toBe(5000);
    expect(effectiveTimeoutMs(5000, 1000)).toBe(500);
  });
});
