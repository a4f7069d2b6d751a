import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closedPort,
  runCheck,
  settledConnections,
  startSilentListener,
  valueOf,
  type Target,
} from './helpers/check-targets.js';

// The postgres and redis checks against the shared servers everyone's tests use: only
// read-only queries (SELECT 1, pg_stat_*) and PING / INFO are sent, nothing is created. Their
// outages are played by a closed port and by a listener that accepts and never answers.

const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = 'redis://127.0.0.1:6379';
const PG_HINT = 'start it with `pg_ctlcluster --skip-systemctl-redirect 15 main start`';
const REDIS_HINT =
  'start it with `redis-server --daemonize yes --bind 127.0.0.1 --port 6379' +
  " --save '' --appendonly no`";

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(2000, () => socket.destroy());
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('close', () => resolve(false));
  });
}

let silent: Target;

beforeAll(async () => {
  silent = await startSilentListener();
});

afterAll(async () => {
  await silent.close();
});

describe('postgres check', () => {
  beforeAll(async () => {
    if (await reachable(5432)) return;
    throw new Error(`PostgreSQL is not reachable at 127.0.0.1:5432 — ${PG_HINT}`);
  });

  it('is up on the shared server with connections, longest transaction, cache hits', async () => {
    const result = await runCheck({ name: 'db', type: 'postgres', url: PG_URL });
    expect(result.problems).toEqual([]);
    expect(valueOf(result, 'check_up')).toBe(1);
    expect(valueOf(result, 'check_latency_seconds')).toBeGreaterThan(0);
    const used = valueOf(result, 'postgres_connections_used_percent');
    expect(used).toBeGreaterThan(0);
    expect(used).toBeLessThanOrEqual(100);
    expect(valueOf(result, 'postgres_longest_transaction_seconds')).toBeGreaterThanOrEqual(0);
    const hits = valueOf(result, 'postgres_cache_hit_percent');
    expect(hits).toBeGreaterThan(0);
    expect(hits).toBeLessThanOrEqual(100);
    const labels = result.series.find((s) => s.metric === 'postgres_cache_hit_percent')?.labels;
    expect(labels).toEqual({ check: 'db' });
  });

  it('is down with the server\'s own words for a database that does not exist', async () => {
    const url = 'postgres://postgres@127.0.0.1:5432/hostpulse_no_such_database';
    const result = await runCheck({ name: 'db', type: 'postgres', url });
    expect(valueOf(result, 'check_up')).toBe(0);
    const reason = 'database "hostpulse_no_such_database" does not exist';
    expect(result.problems[0]?.message).toBe(reason);
  });

  it('is down when nothing listens', async () => {
    const url = `postgres://postgres@127.0.0.1:${await closedPort()}/test`;
    const result = await runCheck({ name: 'db', type: 'postgres', url });
    expect(result.problems[0]?.message).toContain('ECONNREFUSED');
  });

  it('is down at its timeout when the server accepts and never answers', async () => {
    const url = `postgres://monitor:s3cret@127.0.0.1:${silent.port}/app`;
    const result = await runCheck({ name: 'db', type: 'postgres', url, timeout: '300ms' });
    expect(valueOf(result, 'check_up')).toBe(0);
    expect(result.problems[0]?.message).toBe('timed out after 300ms');
    expect(await settledConnections(silent)).toBe(0);
  });
});

describe('redis check', () => {
  beforeAll(async () => {
    if (await reachable(6379)) return;
    throw new Error(`Redis is not reachable at 127.0.0.1:6379 — ${REDIS_HINT}`);
  });

  it('is up on the shared server, with memory used and clients connected', async () => {
    const result = await runCheck({ name: 'cache', type: 'redis', url: REDIS_URL });
    expect(result.problems).toEqual([]);
    expect(valueOf(result, 'check_up')).toBe(1);
    expect(valueOf(result, 'redis_memory_used_bytes')).toBeGreaterThan(0);
    expect(valueOf(result, 'redis_connected_clients')).toBeGreaterThanOrEqual(1);
  });

  it('is down when nothing listens', async () => {
    const url = `redis://127.0.0.1:${await closedPort()}`;
    const result = await runCheck({ name: 'cache', type: 'redis', url });
    expect(valueOf(result, 'check_up')).toBe(0);
    expect(result.problems[0]?.message).toContain('ECONNREFUSED');
  });

  it('is down at its timeout when the server accepts and never answers', async () => {
    const url = `redis://127.0.0.1:${silent.port}`;
    const result = await runCheck({ name: 'cache', type: 'redis', url, timeout: '300ms' });
    expect(result.problems[0]?.message).toBe('timed out after 300ms');
    expect(await settledConnections(silent)).toBe(0);
  });
});
