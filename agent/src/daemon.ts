import type { Logger } from '@hostpulse/shared';
import type { BatchBuffer } from './buffer/batch-buffer.js';
import { toNewBatch } from './batch.js';
import { sampleAll } from './cycle.js';
import type { HostIdentity } from './host-identity.js';
import type { InventorySource } from './inventory-watcher.js';
import { ProblemTracker } from './problem-tracker.js';
import type { ActiveSampler } from './sampler-set.js';
import { selfMetrics } from './self-metrics.js';

// The sampling loop: at every multiple of the interval (wall clock, so all agents sample at the
// same instants) run the samplers, write one batch to the buffer and wake the shipper. Cycles
// never overlap: a tick that comes while a cycle still runs is skipped and counted.

export interface DaemonOptions {
  readonly intervalMs: number;
  readonly labels: Readonly<Record<string, string>>;
  /** The host's root as the agent sees it (config `root`). */
  readonly rootDir: string;
  readonly identity: HostIdentity;
  readonly agentVersion: string;
  readonly samplers: readonly ActiveSampler[];
  readonly buffer: BatchBuffer;
  /** Called after each batch is written: the shipper's wake(). */
  readonly onBatch: () => void;
  /** Already bound to { component: 'daemon' }. */
  readonly log: Logger;
  readonly now?: () => number;
  /** The host's inventory, written with a batch at start and again when it changes. */
  readonly inventorySource?: InventorySource;
  /** Most time the samplers get per cycle; 80% of the interval unless given. */
  readonly samplerTimeoutMs?: number;
}

// A stopping agent has 5 s in all; its last cycle may not take the usual share of the interval.
const FINAL_CYCLE_TIMEOUT_MS = 1000;

export class Daemon {
  private readonly now: () => number;
  private readonly problems: ProblemTracker;
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<void> | undefined;
  private lastTickMs = 0;
  private skippedTotal = 0;
  private skipping = false;
  private stopRequested = false;
  private wroteFinal = false;
  private readonly hurry = new AbortController();

  constructor(private readonly options: DaemonOptions) {
    this.now = options.now ?? Date.now;
    this.problems = new ProblemTracker(options.log);
  }

  /** Cycles skipped because the one before was still running. */
  get skippedCycles(): number {
    return this.skippedTotal;
  }

  start(): void {
    this.scheduleNext();
  }

  /**
   * Stops the ticks and waits for the cycle in flight. With `final`, the last batch written
   * says the agent is stopping on purpose; a cycle is run for it if none was running.
   */
  async stop(options: { final: boolean }): Promise<void> {
    this.stopRequested = options.final;
    clearTimeout(this.timer);
    this.timer = undefined;
    // The cycle in flight gets a short grace to finish its samplers, then writes what it has.
    const grace = setTimeout(() => this.hurry.abort(), FINAL_CYCLE_TIMEOUT_MS);
    await this.current;
    clearTimeout(grace);
    if (options.final && !this.wroteFinal) await this.runCycle(this.now(), FINAL_CYCLE_TIMEOUT_MS);
  }

  /** One cycle stamped `cycleMs`; the tick calls it, and tests call it directly. */
  async runCycle(cycleMs: number, timeoutMs = this.samplerTimeoutMs()): Promise<void> {
    const { buffer, log } = this.options;
    const started = this.now();
    const sampled = await sampleAll(this.options.samplers, cycleMs, {
      timeoutMs,
      hurry: this.hurry.signal,
    });
    const events = this.problems.update(sampled.problems, cycleMs);
    const cycleDurationMs = this.now() - started;
    const stopping = this.stopRequested;
    try {
      const own = selfMetrics({
        buffer: buffer.stats(),
        cycleMs: cycleDurationMs,
        residentBytes: process.memoryUsage.rss(),
      });
      const values = [...sampled.values, ...own];
      const inventory = this.options.inventorySource?.due();
      const batch = toNewBatch({
        ...this.options,
        cycleMs,
        values,
        events,
        stopping,
        ...(inventory ? { inventory } : {}),
      });
      const seq = buffer.append(batch);
      if (inventory) this.options.inventorySource?.markSent(inventory);
      if (stopping) this.wroteFinal = true;
      const counts = { values: values.length, problems: sampled.problems.length };
      log.debug({ seq, cycleMs, ...counts, cycleDurationMs }, 'cycle written');
    } catch (err) {
      // The samples of this cycle are lost; the next cycle tries again with a fresh write.
      log.error({ err, cycleMs }, 'cannot write the cycle to the buffer');
      return;
    }
    this.options.onBatch();
  }

  private samplerTimeoutMs(): number {
    return this.options.samplerTimeoutMs ?? Math.floor(this.options.intervalMs * 0.8);
  }

  private scheduleNext(): void {
    const { intervalMs } = this.options;
    // From the later of now and the last tick: a timer that fires a millisecond early must not
    // schedule the same boundary twice.
    const from = Math.max(this.now(), this.lastTickMs);
    const next = Math.floor(from / intervalMs) * intervalMs + intervalMs;
    this.timer = setTimeout(() => this.tick(next), next - this.now());
  }

  private tick(cycleMs: number): void {
    this.lastTickMs = cycleMs;
    this.scheduleNext();
    if (this.current) {
      this.skippedTotal += 1;
      if (!this.skipping) {
        this.options.log.warn(
          { cycleMs, skippedTotal: this.skippedTotal },
          'cycle overran its interval; skipping ticks until it ends',
        );
      }
      this.skipping = true;
      return;
    }
    this.skipping = false;
    this.current = this.runCycle(cycleMs).finally(() => {
      this.current = undefined;
    });
  }
}
