import type { TObject, Static } from '@sinclair/typebox';
import type { Loaded, Logger } from '@hostpulse/shared';

// The contract every sampler keeps. A sampler is a plain definition object; the registry in
// index.ts lists them in a fixed order. Config is checked by the loader, never inside sample().

export interface SamplerContext {
  /** Where the host's /proc, /sys and mount points are seen: "/" or e.g. "/host". */
  readonly rootDir: string;
  /** Bound to { sampler: name }. */
  readonly log: Logger;
  /** Milliseconds since the epoch; a fake clock in unit tests. */
  now(): number;
  /** Most time one blocking source (a statfs, a file read on a hung mount) may take. */
  readonly sourceTimeoutMs: number;
}

/** One value of one series at this cycle; the daemon stamps every value with the cycle's time. */
export interface SeriesValue {
  readonly metric: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Something the sampler met that an operator should know, with the reason (a mount stalled). */
export interface SampleProblem {
  readonly source: string;
  readonly message: string;
  /** Set when a service check is down: the problem then travels as a check event. */
  readonly check?: CheckIdentity;
  /**
   * The series this problem explains, e.g. { backup: 'nightly', metric: 'backup_verified' }:
   * added to its event's labels, so that an alert on that series can quote the reason.
   */
  readonly explains?: Readonly<Record<string, string>>;
}

/** A service check as its check_up series and events name it (checks/run-check.ts). */
export interface CheckIdentity {
  readonly name: string;
  readonly type: string;
}

export interface SampleResult {
  readonly series: readonly SeriesValue[];
  readonly problems: readonly SampleProblem[];
}

export interface Sampler {
  // Series plus the problems met on the way; throws only when it has no series at all. Rate
  // samplers return no rates on their first call: a rate needs two readings.
  sample(now: number): Promise<SampleResult>;
  /** Stops what the sampler runs between samples (the backup verification schedules). */
  close?(): void;
}

export interface SamplerDefinition<Schema extends TObject = TObject> {
  /** Its key under `samplers:` in agent.yaml. */
  readonly name: string;
  /** Its options under `samplers.<name>` (besides `enabled`), with defaults. */
  readonly config: Schema;
  create(ctx: SamplerContext, config: Loaded<Static<Schema>>): Sampler;
}
