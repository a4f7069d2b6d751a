import { describe, expect, it } from 'vitest';
import { describeProgress, formatSeconds, Progress } from './progress.js';

function stream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, isTTY, write: (text: string) => writes.push(text) };
}

describe('progress', () => {
  it('says percent, batches, samples per second and time left', () => {
    const line = describeProgress('backfill', { batches: 450, samples: 27_000 }, 1800, 2000);
    expect(line).toBe('backfill   25.0 %  450 of 1,800 batches  13,500 samples/s  ETA 6s');
    expect(describeProgress('backfill', { batches: 1800, samples: 1 }, 1800, 1)).toMatch(/100\.0 %.*done$/);
    expect(formatSeconds(75)).toBe('1m15s');
    expect(formatSeconds(7300)).toBe('2h01m');
  });

  it('writes whole lines at its period off a terminal, the last one once', () => {
    let now = 0;
    const out = stream(false);
    const progress = new Progress({ label: 'backfill', total: 10, stream: out, everyMs: 5000, now: () => now });
    for (let batch = 1; batch <= 10; batch++) {
      now += 1000;
      progress.update({ batches: batch, samples: batch * 60 });
    }
    progress.finish({ batches: 10, samples: 600 });
    expect(out.writes).toEqual([
      'backfill   50.0 %  5 of 10 batches  60 samples/s  ETA 5s\n',
      'backfill  100.0 %  10 of 10 batches  60 samples/s  done\n',
    ]);
  });

  it('rewrites one line on a terminal and ends it with a newline', () => {
    let now = 0;
    const out = stream(true);
    const progress = new Progress({ label: 'backfill', total: 4, stream: out, everyMs: 5000, now: () => now });
    now = 300;
    progress.update({ batches: 1, samples: 60 });
    progress.finish({ batches: 4, samples: 240 });
    expect(out.writes).toHaveLength(2);
    expect(out.writes[0]).toMatch(/^\r\u001b\[Kbackfill   25\.0 %/);
    expect(out.writes[1]).toMatch(/^\r\u001b\[Kbackfill  100\.0 %.*done\n$/);
  });
});
