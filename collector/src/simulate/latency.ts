// Ingest latencies of a run in logarithmic buckets, 2 % wide: a backfill of 10,000 hosts makes
// millions of requests, too many to keep each one, and a percentile within 2 % is plenty.

const RATIO = 1.02;
const SMALLEST_MS = 0.05;
const BUCKETS = Math.ceil(Math.log(600_000 / SMALLEST_MS) / Math.log(RATIO)) + 1;

export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  count = 0;

  record(ms: number): void {
    const index = ms <= SMALLEST_MS ? 0 : Math.ceil(Math.log(ms / SMALLEST_MS) / Math.log(RATIO));
    this.counts[Math.min(BUCKETS - 1, index)]! += 1;
    this.count++;
  }

  /** The latency under which `p` percent of requests finished (a bucket's upper edge), or NaN. */
  percentile(p: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i] as number;
      if (seen >= rank) return SMALLEST_MS * RATIO ** i;
    }
    return SMALLEST_MS * RATIO ** (BUCKETS - 1);
  }
}
