import { createServer, type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@hostpulse/shared';
import { loadCollectorConfig } from '../src/config.js';
import { redisReadiness, type ReadinessCheck } from '../src/readiness.js';
import { buildServer } from '../src/server.js';
import { openStorage } from '../src/storage/open-storage.js';
import { call } from './helpers/collector-server.js';

// /readyz with a Redis in collector.yaml: ready while the real Redis on 127.0.0.1:6379 answers,
// 503 storage_unavailable with Retry-After when Redis is not there (a port nothing listens on).

const REDIS_URL = 'redis://127.0.0.1:6379';
const REDIS_HINT =
  "Redis is not answering on 127.0.0.1:6379; start it with `redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no`";

function closedPort(): Promise<number> {
  return new Promise((done) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => done(port));
    });
  });
}

describe('/readyz with Redis configured', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hostpulse-ready-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function readyzWith(check: ReadinessCheck) {
    writeFileSync(join(dir, 'collector.yaml'), `data_dir: ${dir}\n`);
    const config = loadCollectorConfig(join(dir, 'collector.yaml'), {});
    const log = silentLogger();
    const storage = await openStorage({ poolMax: 1, dataDir: dir, log });
    const alerting = { observe: () => undefined, start: () => undefined, stop: async () => undefined };
    const app = buildServer({ config, storage, alerting, log, readiness: [check] });
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      return await call(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/readyz`);
    } finally {
      await app.close();
      await check.close();
      await storage.close();
    }
  }

  it('is ready while Redis answers', async () => {
    const answer = await readyzWith(redisReadiness(REDIS_URL, silentLogger()));
    expect(answer.status, REDIS_HINT).toBe(200);
    expect(answer.json).toEqual({ status: 'ready' });
  });

  it('is not ready when Redis is away', async () => {
    const port = await closedPort();
    const answer = await readyzWith(redisReadiness(`redis://127.0.0.1:${port}`, silentLogger()));
    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBe('5');
    expect(answer.json.error).toEqual({
      code: 'storage_unavailable',
      message: 'Redis is unavailable; retry later (the collector log has the details)',
    });
  });
});
