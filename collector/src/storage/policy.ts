// What the collector's configuration tells storage about keeping data: retention.raw,
// retention.rollup, retention.batch_keys and limits.series_per_host of collector.yaml. The
// defaults repeat the schema's (config.ts) for callers that open storage without a
// configuration (tests, bench).

export interface StoragePolicy {
  /** Raw samples older than this are dropped (whole partitions on PostgreSQL). */
  readonly rawRetentionMs: number;
  /** 5-minute rollups older than this are dropped. */
  readonly rollupRetentionMs: number;
  /**
   * Exactly-once keys are kept at least this long after their batch's time (and at least as
   * long as raw samples): longer than any agent's buffer.max_age, so no agent still holds a
   * batch whose key is gone (batch-keys.ts).
   */
  readonly batchKeyRetentionMs: number;
  /** A host's series past this many are refused at ingest. */
  readonly seriesPerHost: number;
}

const DAY_MS = 86_400_000;

export const DEFAULT_STORAGE_POLICY: StoragePolicy = {
  rawRetentionMs: 15 * DAY_MS,
  rollupRetentionMs: 400 * DAY_MS,
  batchKeyRetentionMs: 8 * DAY_MS,
  seriesPerHost: 10_000,
};

/** Rollup buckets are this wide, aligned on the epoch like query steps. */
export const ROLLUP_BUCKET_MS = 300_000;

/** The start of the bucket of `width` holding t; right for times before 1970 too. */
export function bucketStart(t: number, width: number): number {
  return t - (((t % width) + width) % width);
}

/**
 * bucketStart() as SQL, the same in PostgreSQL and SQLite: `expr` a column or placeholder,
 * `width` a number or placeholder. (Released migrations keep their own copies.)
 */
export function bucketStartSql(expr: string, width: string | number): string {
  return `${expr} - (((${expr} % ${width}) + ${width}) % ${width})`;
}
