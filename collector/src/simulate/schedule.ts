// When each simulated agent samples. Agents start their cycles spread evenly over the interval,
// as a real fleet does (hosts boot at different times), so a collector sees a steady stream
// rather than every host at once on the 10-second mark.

/** The offset of agent `index` of `agents` within each interval. */
export function agentOffsetMs(index: number, agents: number, intervalMs: number): number {
  return Math.floor((index * intervalMs) / agents);
}

export interface BackfillPlan {
  readonly firstCycleMs: number;
  readonly cycles: number;
  /** Batches per agent when each carries up to `batchCycles` cycles. */
  readonly batchesPerAgent: number;
}

/**
 * The history a backfill writes: whole intervals ending at the last interval boundary before
 * `nowMs`, so every timestamp (boundary plus an agent's offset) lies in the past.
 */
export function planBackfill(
  nowMs: number,
  backfillMs: number,
  intervalMs: number,
  batchCycles: number,
): BackfillPlan {
  const cycles = Math.max(1, Math.floor(backfillMs / intervalMs));
  const lastBoundary = Math.floor(nowMs / intervalMs) * intervalMs;
  return {
    firstCycleMs: lastBoundary - cycles * intervalMs,
    cycles,
    batchesPerAgent: Math.ceil(cycles / batchCycles),
  };
}

/** The cycle times agent `index` puts in its batch number `batch` (0-based) of a backfill. */
export function backfillCycles(
  plan: BackfillPlan,
  batch: number,
  batchCycles: number,
  offsetMs: number,
  intervalMs: number,
): number[] {
  const first = batch * batchCycles;
  const last = Math.min(plan.cycles, first + batchCycles);
  const times: number[] = [];
  for (let cycle = first; cycle < last; cycle++) {
    times.push(plan.firstCycleMs + cycle * intervalMs + offsetMs);
  }
  return times;
}
