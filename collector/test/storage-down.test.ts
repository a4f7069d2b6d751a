import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@hostpulse/shared';
import { generateToken } from '../src/auth.js';
import { loadCollectorConfig } from '../src/config.js';
import { buildServer } from '../src/server.js';
import { openStorage } from '../src/storage/open-storage.js';
import type { Storage } from '../src/storage/storage.js';
import { encoded, wireBatch } from './helpers/batches.js';
import { call } from './helpers/collector-server.js';

// A collector whose PostgreSQL is not there (a port nothing listens on): it stays alive,
// /healthz says so, and everything that needs the database answers 503 storage_unavailable
// with Retry-After, which tells agents to keep their batches and come back.

function closedPort(): Promise<number> {
  return new Promise((done) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => done(port));
    });
  });
}

describe('with the database down', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hostpulse-down-'));
  let storage: Storage;
  let app: FastifyInstance;
  let url: string;

  beforeAll(async () => {
    const file = join(dir, 'collector.yaml');
    writeFileSync(file, `data_dir: ${dir}\ndatabase: { url: "postgres://postgres@127.0.0.1:${await closedPort()}/none" }\n`);
    const config = loadCollectorConfig(file, {});
    const log = silentLogger();
    storage = await openStorage({ databaseUrl: config.database.url, poolMax: 2, dataDir: dir, log });
    const alerting = { observe: () => undefined, start: () => undefined, stop: async () => undefined };
    app = buildServer({ config, storage, alerting, log });
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await app?.close();
    await storage?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is alive but not ready', async () => {
    expect((await call(`${url}/healthz`)).status).toBe(200);
    const ready = await call(`${url}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.headers['retry-after']).toBe('5');
    expect(ready.json.error.code).toBe('storage_unavailable');
  });

  it('answers ingest with 503 storage_unavailable and Retry-After', async () => {
    const answer = await call(`${url}/api/v1/ingest`, {
      method: 'POST',
      token: generateToken(),
      headers: { 'content-type': 'application/x-protobuf' },
      body: encoded(wireBatch()),
    });
    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBe('5');
    expect(answer.json.error.code).toBe('storage_unavailable');
    expect(answer.json.error.message).toBe('the database is unavailable; retry later (the collector log has the details)');
  });
});
