import { describe, expect, it } from 'vitest';
import { FileSummary, median, PREVIOUS_FILES } from './file-summary.js';

describe('median', () => {
  it.each([
    [[], undefined],
    [[5], 5],
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
  ])('of %j is %s', (values, expected) => {
    expect(median(values)).toBe(expected);
  });
});

describe('FileSummary', () => {
  it('keeps the newest file and the sizes of at most PREVIOUS_FILES before it', () => {
    const summary = new FileSummary(Number.MAX_SAFE_INTEGER);
    // Added in no particular order, as a directory lists them.
    const order = [12, 3, 19, 0, 7, 15, 1, 18, 9, 4, 11, 16, 2, 13, 6, 17, 8, 10, 14, 5];
    for (const day of order) summary.addFile({ name: `d${day}`, mtimeMs: day * 1000, size: day });
    expect(summary.files).toBe(20);
    expect(summary.latest).toEqual({ name: 'd19', mtimeMs: 19_000, size: 19 });
    expect(summary.previousSizes).toEqual([18, 17, 16, 15, 14, 13, 12]);
    expect(summary.previousSizes).toHaveLength(PREVIOUS_FILES);
  });

  it('breaks a tie of modification times by name', () => {
    const summary = new FileSummary(Number.MAX_SAFE_INTEGER);
    summary.addFile({ name: 'db-02', mtimeMs: 1000, size: 2 });
    summary.addFile({ name: 'db-01', mtimeMs: 1000, size: 1 });
    expect(summary.latest?.name).toBe('db-02');
  });

  it('counts future-dated files but never takes one as the latest', () => {
    const summary = new FileSummary(10_000);
    summary.addFile({ name: 'past', mtimeMs: 5000, size: 1 });
    summary.addFile({ name: 'future', mtimeMs: 50_000, size: 1 });
    summary.addFile({ name: 'further', mtimeMs: 90_000, size: 1 });
    expect(summary.files).toBe(3);
    expect(summary.futureFiles).toBe(2);
    expect(summary.latest?.name).toBe('past');
    expect(summary.newestFuture?.name).toBe('further');
  });

  it('names the first three skipped entries and counts the rest', () => {
    const summary = new FileSummary(0);
    for (const name of ['a', 'b', 'c', 'd', 'e']) summary.addSkipped({ name, reason: 'x' });
    expect(summary.skippedEntries).toBe(5);
    expect(summary.skipped.map((s) => s.name)).toEqual(['a', 'b', 'c']);
  });
});
