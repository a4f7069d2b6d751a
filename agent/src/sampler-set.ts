import type { Logger } from '@hostpulse/shared';
import type { AgentConfig } from './config.js';
import { samplers } from './samplers/index.js';
import type { Sampler, SampleResult, SamplerDefinition } from './samplers/sampler.js';

// The enabled samplers, built from the registry and the config. The daemon and --once both
// use this, so --once runs the very same sampler code as the daemon.

export interface ActiveSampler {
  readonly name: string;
  /** The sampler's config and root as JSON: a SIGHUP keeps a sampler whose key is unchanged. */
  readonly key: string;
  readonly sampler: Sampler;
  /** The sample() call still running, so a hung one is never called twice at once. */
  pending: Promise<SampleResult> | undefined;
}

export interface SamplerSetOptions {
  readonly config: AgentConfig;
  readonly log: Logger;
  readonly now?: () => number;
  /** Samplers of the config being replaced; unchanged ones keep their state (rates). */
  readonly previous?: readonly ActiveSampler[];
}

/** Most time one blocking source (a statfs, a file read) may take: half the interval, up to 5 s. */
export function sourceTimeoutMs(intervalMs: number): number {
  return Math.min(5000, Math.floor(intervalMs / 2));
}

export function createSamplerSet(options: SamplerSetOptions): ActiveSampler[] {
  const { config, log } = options;
  const active: ActiveSampler[] = [];
  for (const definition of samplers as readonly SamplerDefinition[]) {
    const section = config.samplers[definition.name];
    if (!section?.enabled) continue;
    const key = JSON.stringify({ root: config.root, intervalMs: config.intervalMs, section });
    const kept = options.previous?.find((s) => s.name === definition.name && s.key === key);
    if (kept) {
      active.push(kept);
      continue;
    }
    const sampler = definition.create(
      {
        rootDir: config.root,
        log: log.child({ sampler: definition.name }),
        now: options.now ?? Date.now,
        sourceTimeoutMs: sourceTimeoutMs(config.intervalMs),
      },
      section as never,
    );
    active.push({ name: definition.name, key, sampler, pending: undefined });
  }
  return active;
}
