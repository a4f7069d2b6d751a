import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { float8Array, int4Array, int8Array } from '../src/storage/postgres/binary-arrays.js';

// The binary arrays are read by PostgreSQL's own array_recv, so they are checked against the
// real server: what it reads back must be every value exactly.

const URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const HINT = 'start PostgreSQL with `pg_ctlcluster --skip-systemctl-redirect 15 main start`';

describe('binary arrays read by PostgreSQL', () => {
  let client: pg.Client;

  beforeAll(async () => {
    client = new pg.Client({ connectionString: URL, connectionTimeoutMillis: 5_000 });
    await client.connect().catch((err: unknown) => {
      throw new Error(`PostgreSQL is not reachable at 127.0.0.1:5432: ${HINT}`, { cause: err });
    });
  });

  afterAll(async () => {
    await client?.end();
  });

  async function readBack(sql: string, value: Buffer): Promise<string[]> {
    const result = await client.query<{ v: string }>(`SELECT unnest(${sql})::text AS v`, [value]);
    return result.rows.map((row) => row.v);
  }

  it('keeps doubles exact, including -0, subnormals and the largest finite', async () => {
    const values = [0, -0, 0.1, -2.5, 5e-324, 1.7976931348623157e308, 1e21, 123456.789];
    const text = await readBack('$1::float8[]', float8Array(values));
    expect(text.map(Number)).toEqual(values);
    expect(text[1]).toBe('-0');
  });

  it('keeps 64-bit timestamps up to 2^53 - 1 and negative ones', async () => {
    const values = [0, 946684800000, 1796000000123, 2 ** 32, 2 ** 32 - 1, 2 ** 53 - 1, -1, -(2 ** 40) - 7];
    expect(await readBack('$1::bigint[]', int8Array(values))).toEqual(values.map(String));
  });

  it('keeps 32-bit integers of either sign', async () => {
    const values = [0, 1, -1, 2 ** 31 - 1, -(2 ** 31)];
    expect(await readBack('$1::int[]', int4Array(values))).toEqual(values.map(String));
  });

  it('sends an empty array as one with no dimensions', async () => {
    const result = await client.query<{ n: number | null }>('SELECT cardinality($1::float8[]) AS n', [
      float8Array([]),
    ]);
    expect(result.rows[0]?.n).toBe(0);
  });
});
