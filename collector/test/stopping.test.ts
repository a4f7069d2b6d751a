import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@hostpulse/shared';
import { loadCollectorConfig } from '../src/config.js';
import { buildServer } from '../src/server.js';
import { openStorage } from '../src/storage/open-storage.js';
import { call, type Answer } from './helpers/collector-server.js';

// A request that reaches the server after close() began (on a connection still open while the
// requests in flight drain) gets our error shape: 429 overloaded with Retry-After, not
// Fastify's own 503 body, so agents read it like any other answer and keep their batch.

describe('while the server is stopping', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hostpulse-stopping-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses new requests with 429 overloaded and Retry-After', async () => {
    writeFileSync(join(dir, 'collector.yaml'), `data_dir: ${dir}\n`);
    const config = loadCollectorConfig(join(dir, 'collector.yaml'), {});
    const log = silentLogger();
    const storage = await openStorage({ poolMax: 1, dataDir: dir, log });
    const alerting = { observe: () => undefined, start: () => undefined, stop: async () => undefined };
    const app = buildServer({ config, storage, alerting, log });

    // preClose hooks run in order, after the server's own and before it stops listening: a
    // request sent from here arrives exactly in the window this test is about.
    let duringClose: Answer | undefined;
    let url = '';
    app.addHook('preClose', async () => {
      duringClose = await call(`${url}/healthz`);
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    expect((await call(`${url}/healthz`)).status).toBe(200);

    await app.close();
    await storage.close();
    expect(duringClose?.status).toBe(429);
    expect(duringClose?.headers['retry-after']).toBe('5');
    expect(duringClose?.json).toEqual({
      error: { code: 'overloaded', message: 'the collector is stopping; retry in a few seconds' },
    });
  });
});
