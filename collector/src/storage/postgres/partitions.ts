import type pg from 'pg';

// Daily partitions of sample_chunks (migration 011) and of the exactly-once keys in batches
// (009), monthly ones of samples_5m. Partitions are made ahead by the partition job; the fold
// job makes those of the chunks and rollups it writes, and ingest the day of a batch's key when
// this process has not seen it yet: a batch buffered for days, or a clock far off, still finds
// its partition. The set of days seen is only a cache: when retention drops a day, another
// replica may still list it, and an insert into it fails with "no partition"; the store forgets
// every day then and answers storage_unavailable, so the agent sends the batch again and the day
// is made anew.

export const DAY_MS = 86_400_000;

const ENSURE = `SELECT hostpulse_ensure_partition($1, t) AS made FROM unnest($2::bigint[]) AS t`;

const LIST = `
SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = $1::regclass
ORDER BY c.relname`;

export type PartitionedTable = 'sample_chunks' | 'samples_5m' | 'batches';

export interface PartitionInfo {
  readonly name: string;
  readonly fromMs: number;
  readonly toMs: number;
}

export class IngestPartitions {
  private readonly knownKeyDays = new Set<number>();

  constructor(private readonly pool: pg.Pool) {}

  /** Makes the daily partition of a batch's key (`batchDayMs`) unless this process saw it made. */
  async ensureFor(batchDayMs: number): Promise<void> {
    if (this.knownKeyDays.has(batchDayMs)) return;
    await ensurePartitions(this.pool, 'batches', [batchDayMs]);
    this.knownKeyDays.add(batchDayMs);
  }

  forget(): void {
    this.knownKeyDays.clear();
  }
}

/** Makes the partitions of `table` holding these times; returns the names of new ones. */
export async function ensurePartitions(
  db: pg.Pool | pg.PoolClient,
  table: PartitionedTable,
  times: readonly number[],
): Promise<string[]> {
  if (times.length === 0) return [];
  const result = await db.query<{ made: string | null }>(ENSURE, [table, times]);
  return result.rows.flatMap((row) => (row.made === null ? [] : [row.made]));
}

export async function listPartitions(
  db: pg.Pool | pg.PoolClient,
  table: PartitionedTable,
): Promise<PartitionInfo[]> {
  const result = await db.query<{ name: string; bound: string }>(LIST, [table]);
  return result.rows.flatMap((row) => {
    const match = /FROM \('(-?\d+)'\) TO \('(-?\d+)'\)/.exec(row.bound);
    if (!match) return [];
    return [{ name: row.name, fromMs: Number(match[1]), toMs: Number(match[2]) }];
  });
}

/** The first millisecond of every UTC month from the one holding `fromMs` to the one of `toMs`. */
export function monthStarts(fromMs: number, toMs: number): number[] {
  const starts: number[] = [];
  const at = new Date(fromMs);
  let month = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1);
  while (month <= toMs) {
    starts.push(month);
    const d = new Date(month);
    month = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  }
  return starts;
}

/** True for PostgreSQL's refusal of a row whose partition does not exist. */
export function isMissingPartition(err: unknown): boolean {
  return err instanceof Error && /no partition of relation/.test(err.message);
}
