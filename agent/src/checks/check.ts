import type { Static, TObject } from '@sinclair/typebox';
import type { Loaded, Logger } from '@hostpulse/shared';

// The contract every service check keeps (SPEC §3.2 `checks:`). A check is a plain definition
// object; the registry in index.ts lists them. The loader checks the config (schema, then
// `validate`), never `run`. The runner (run-check.ts) owns the timeout, the latency and the
// check_up / check_latency_seconds series, so a check file only talks to its target.

export interface CheckContext {
  /** The check's `name` in agent.yaml. */
  readonly name: string;
  /** Bound to { check: name }. */
  readonly log: Logger;
  /** The time the runner gives each run; a library's own timeouts may use it as a backstop. */
  readonly timeoutMs: number;
}

/** A figure read from the target besides up and latency; sent labelled { check }. */
export interface CheckFigure {
  readonly metric: string;
  readonly value: number;
}

/** Trouble that leaves the target up (a statistics query refused), named by what failed. */
export interface CheckTrouble {
  readonly source: string;
  readonly message: string;
}

export interface CheckReport {
  readonly figures?: readonly CheckFigure[];
  readonly troubles?: readonly CheckTrouble[];
  /** The time the check proper took, when extra reads after it must not count as latency. */
  readonly latencyMs?: number;
}

export interface Check {
  // Resolves when the target is up; rejects with an Error whose message says why it is down
  // (that text becomes the event an alert quotes). When `signal` aborts (the check's timeout)
  // it must stop and release its sockets and files at once: the runner does not wait for it.
  run(signal: AbortSignal): Promise<CheckReport>;
}

/** A problem the loader reports as `checks[i].<key>: <message>`. */
export interface CheckConfigProblem {
  readonly key: string;
  readonly message: string;
}

export interface CheckDefinition<Schema extends TObject = TObject> {
  /** Its `type:` in agent.yaml. */
  readonly type: string;
  /** Its own keys, with defaults; `name`, `type` and `timeout` are added by list-schema.ts. */
  readonly config: Schema;
  /** Metrics it sends besides check_up and check_latency_seconds (docs/metrics.md lists them). */
  readonly metrics: readonly string[];
  /** What a schema cannot say (a URL's scheme, a file that must be readable); run at load. */
  validate?(config: Loaded<Static<Schema>>): CheckConfigProblem[];
  create(ctx: CheckContext, config: Loaded<Static<Schema>>): Check;
}
