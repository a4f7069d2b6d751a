import type { Logger } from '@hostpulse/shared';

// Deleting a backlog of old rows (a year-old database meeting retention for the first time)
// must not hold a long lock nor, on SQLite, which runs in-process, stall the event loop. So
// rows go in steps of at most ROWS_PER_STEP, each its own short statement, with a turn of the
// event loop between two, and a run stops once its time budget is spent: what is left goes at
// the next run. The tables take turns, so a long backlog in one does not starve the others.

export const ROWS_PER_STEP = 5_000;
export const BUDGET_MS = 30_000;

/** Deletes at most `limit` old rows of one table in one statement; returns how many. */
export type DeleteStep = (limit: number) => Promise<number>;

export interface BoundedDeleteOptions {
  readonly rowsPerStep?: number;
  readonly budgetMs?: number;
  /** Monotonic milliseconds; tests pass their own. */
  readonly clock?: () => number;
}

export interface BoundedDeleteResult<Table extends string> {
  readonly deleted: Readonly<Record<Table, number>>;
  /** True when the budget ran out before every table was done. */
  readonly cutShort: boolean;
}

export async function deleteInSteps<Table extends string>(
  steps: Readonly<Record<Table, DeleteStep>>,
  options: BoundedDeleteOptions = {},
): Promise<BoundedDeleteResult<Table>> {
  const rowsPerStep = options.rowsPerStep ?? ROWS_PER_STEP;
  const budgetMs = options.budgetMs ?? BUDGET_MS;
  const clock = options.clock ?? (() => performance.now());
  const tables = Object.keys(steps) as Table[];
  const deleted = Object.fromEntries(tables.map((table) => [table, 0])) as Record<Table, number>;
  const deadline = clock() + budgetMs;

  let pending = tables;
  while (pending.length > 0) {
    if (clock() >= deadline) return { deleted, cutShort: true };
    const next: Table[] = [];
    for (const table of pending) {
      const count = await steps[table](rowsPerStep);
      deleted[table] += count;
      // A step short of the limit found every old row there was.
      if (count >= rowsPerStep) next.push(table);
      await new Promise((resolve) => setImmediate(resolve));
    }
    pending = next;
  }
  return { deleted, cutShort: false };
}

/**
 * Events and gaps past retention.rollup (`limitMs`), as both backends delete them: `stepOf`
 * makes a step of one of the two tables' delete statements. A run cut short says so in the log.
 */
export async function deleteOldEventsAndGaps<Sql>(
  statements: { readonly events: Sql; readonly gaps: Sql },
  stepOf: (sql: Sql) => DeleteStep,
  limitMs: number,
  log: Logger,
): Promise<{ deletedEvents: number; deletedGaps: number }> {
  const old = await deleteInSteps({
    events: stepOf(statements.events),
    gaps: stepOf(statements.gaps),
  });
  if (old.cutShort) {
    const message = 'events and gaps past retention.rollup left for the next run';
    log.info({ limitMs, ...old.deleted }, message);
  }
  return { deletedEvents: old.deleted.events, deletedGaps: old.deleted.gaps };
}
