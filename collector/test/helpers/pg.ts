import { randomBytes } from 'node:crypto';
import pg from 'pg';

// A throwaway PostgreSQL database per test file, so tests running in parallel never share
// tables. drop() ends the connections still open to it (WITH (FORCE)) and removes it.

const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const START_HINT =
  'PostgreSQL is not reachable at 127.0.0.1:5432 — start it with ' +
  '`pg_ctlcluster --skip-systemctl-redirect 15 main start`';

export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `hostpulse_t_${randomBytes(6).toString('hex')}`;
  await asAdmin((client) => client.query(`CREATE DATABASE ${name}`));
  return {
    name,
    url: `postgres://postgres@127.0.0.1:5432/${name}`,
    drop: () => asAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  };
}

async function asAdmin(run: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(START_HINT, { cause: err });
  }
  try {
    await run(client);
  } finally {
    await client.end();
  }
}
