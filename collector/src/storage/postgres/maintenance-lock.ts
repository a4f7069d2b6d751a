import type pg from 'pg';

// A maintenance job runs on one replica at a time: it holds a session-level advisory lock,
// taken with pg_try_advisory_lock so that a replica finding it taken skips this run instead of
// queueing behind it. The lock goes with the connection if the collector dies mid-run.

/** The first key of every hostpulse maintenance lock ("hpjb"); the second names the job. */
const LOCK_NAMESPACE = 0x68_70_6a_62;

export const JOB_LOCKS = { partitions: 1, rollup: 2, retention: 3 } as const;

/** Runs `work` holding the job's lock; undefined when another session holds it. */
export async function withMaintenanceLock<T>(
  pool: pg.Pool,
  job: keyof typeof JOB_LOCKS,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T | undefined> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    const key = [LOCK_NAMESPACE, JOB_LOCKS[job]];
    const got = await client.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock($1, $2) AS locked',
      key,
    );
    if (!got.rows[0]?.locked) return undefined;
    try {
      return await work(client);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, $2)', key).catch((err) => {
        // The connection failed: the server released the lock with it. The client must not
        // go back to the pool in that state.
        broken = err instanceof Error ? err : new Error(String(err));
      });
    }
  } catch (err) {
    broken = err instanceof Error ? err : new Error(String(err));
    throw err;
  } finally {
    client.release(broken);
  }
}
