import { describe, expect, it } from 'vitest';
import { deleteInSteps } from './bounded-delete.js';

/** A table of `rows` old rows; a step removes up to its limit and records the limit asked. */
function tableOf(rows: number, asked: number[] = []) {
  let left = rows;
  return (limit: number) => {
    asked.push(limit);
    const count = Math.min(left, limit);
    left -= count;
    return Promise.resolve(count);
  };
}

describe('deleteInSteps', () => {
  it('deletes in steps no larger than the limit until a step comes back short', async () => {
    const asked: number[] = [];
    const result = await deleteInSteps(
      { events: tableOf(25, asked), gaps: tableOf(3) },
      { rowsPerStep: 10, budgetMs: 1_000, clock: () => 0 },
    );
    expect(result).toEqual({ deleted: { events: 25, gaps: 3 }, cutShort: false });
    expect(asked).toEqual([10, 10, 10]);
  });

  it('asks once more after a step that removed exactly the limit', async () => {
    const asked: number[] = [];
    const options = { rowsPerStep: 10, clock: () => 0 };
    const result = await deleteInSteps({ events: tableOf(20, asked) }, options);
    expect(result.deleted.events).toBe(20);
    expect(asked).toHaveLength(3);
  });

  it('stops when the budget is spent, the tables having taken turns, and says so', async () => {
    let now = 0;
    const tick = (step: (limit: number) => Promise<number>) => (limit: number) => {
      now += 40;
      return step(limit);
    };
    const result = await deleteInSteps(
      { events: tick(tableOf(1_000)), gaps: tick(tableOf(1_000)) },
      { rowsPerStep: 10, budgetMs: 100, clock: () => now },
    );
    // Rounds start at 0 and 80 ms; the third, at 160 ms, is past the budget.
    expect(result).toEqual({ deleted: { events: 20, gaps: 20 }, cutShort: true });
  });
});
