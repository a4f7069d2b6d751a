import { HostpulseError, type Logger } from '@hostpulse/shared';
import {
  BACKUPS_SOURCE,
  backupScanTimeoutMs,
  createBackupSampler,
} from './backups/backup-source.js';
import { findCheck } from './checks/config.js';
import { CHECK_PREFIX, createCheckSampler } from './checks/run-check.js';
import type { AgentConfig } from './config.js';
import { samplers } from './samplers/index.js';
import type {
  CheckIdentity,
  Sampler,
  SampleResult,
  SamplerContext,
  SamplerDefinition,
} from './samplers/sampler.js';

// The enabled samplers, built from the registry and the config, then the `backups:` section as
// one more source, then one entry per service check (`check:<name>`, see checks/run-check.ts).
// The daemon and --once both use this, so --once runs the very same code as the daemon.

export interface ActiveSampler {
  readonly name: string;
  /** The sampler's config and root as JSON: a SIGHUP keeps a sampler whose key is unchanged. */
  readonly key: string;
  readonly sampler: Sampler;
  /** The sample() call still running, so a hung one is never called twice at once. */
  pending: Promise<SampleResult> | undefined;
  /** Set on the entry of a service check. */
  readonly check?: CheckIdentity;
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
  const add = (name: string, section: unknown, create: (ctx: SamplerContext) => Sampler) => {
    const key = JSON.stringify({ root: config.root, intervalMs: config.intervalMs, section });
    const kept = options.previous?.find((s) => s.name === name && s.key === key);
    if (kept) {
      active.push(kept);
      return;
    }
    const sampler = create({
      rootDir: config.root,
      log: log.child({ sampler: name }),
      now: options.now ?? Date.now,
      sourceTimeoutMs: sourceTimeoutMs(config.intervalMs),
    });
    active.push({ name, key, sampler, pending: undefined });
  };
  for (const definition of samplers as readonly SamplerDefinition[]) {
    const section = config.samplers[definition.name];
    if (!section?.enabled) continue;
    add(definition.name, section, (ctx) => definition.create(ctx, section as never));
  }
  if (config.backups.length > 0) {
    add(BACKUPS_SOURCE, config.backups, (ctx) => {
      const scanTimeoutMs = backupScanTimeoutMs(config.intervalMs, ctx.sourceTimeoutMs);
      return createBackupSampler({ ...ctx, sourceTimeoutMs: scanTimeoutMs }, config.backups);
    });
  }
  for (const section of config.checks) active.push(activeCheck(section, options));
  return active;
}

/** Closes the samplers of `set` that `kept` does not hold (all of them without `kept`). */
export function closeSamplers(
  set: readonly ActiveSampler[],
  kept: readonly ActiveSampler[] = [],
): void {
  for (const active of set) {
    if (!kept.includes(active)) active.sampler.close?.();
  }
}

function activeCheck(
  section: AgentConfig['checks'][number],
  options: SamplerSetOptions,
): ActiveSampler {
  const { config, log } = options;
  const name = `${CHECK_PREFIX}${section.name}`;
  // A kept check keeps its in-flight run, so a reload never starts a second one beside it.
  const key = JSON.stringify({ intervalMs: config.intervalMs, section });
  const kept = options.previous?.find((s) => s.name === name && s.key === key);
  if (kept) return kept;
  const definition = findCheck(section.type);
  // The loader accepts only registered types, so this is a bug, not an operator's mistake.
  if (!definition) {
    const message = `check ${section.name}: no check of type ${section.type}`;
    throw new HostpulseError('internal', message);
  }
  const { intervalMs } = config;
  const sampler = createCheckSampler({ definition, section, intervalMs, log });
  const check = { name: section.name, type: section.type };
  return { name, key, sampler, pending: undefined, check };
}
