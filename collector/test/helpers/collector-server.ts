import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { request, type Dispatcher } from 'undici';
import { silentLogger } from '@hostpulse/shared';
import type { Alerting } from '../../src/alerting/alerting.js';
import { generateToken, hashToken } from '../../src/auth.js';
import { storagePolicyOf } from '../../src/commands/storage.js';
import { loadCollectorConfig, type CollectorConfig } from '../../src/config.js';
import { createCollectorMetrics, type CollectorMetrics } from '../../src/self-metrics/collector-metrics.js';
import { addStorageGauges } from '../../src/self-metrics/storage-gauges.js';
import { buildServer } from '../../src/server.js';
import { openStorage } from '../../src/storage/open-storage.js';
import type { IngestBatch, Role, Storage } from '../../src/storage/storage.js';

// A real collector server for integration tests: real storage (embedded SQLite in a temp dir,
// or PostgreSQL when a database URL is given), listening on 127.0.0.1 on a free port, spoken
// to over real HTTP. Alerting is a recorder, because these tests are about the HTTP contract;
// the alert path has its own tests.

export interface RecordingAlerting extends Alerting {
  readonly observed: IngestBatch[];
}

export interface TestCollector {
  readonly url: string;
  readonly storage: Storage;
  readonly config: CollectorConfig;
  readonly alerting: RecordingAlerting;
  readonly tokens: {
    readonly agent: string;
    readonly otherAgent: string;
    readonly viewer: string;
    readonly operator: string;
    readonly admin: string;
  };
  /** The collector's own metrics, with the storage gauges as `serve` adds them. */
  readonly metrics: CollectorMetrics;
  /** The server itself, for tests that read its route table. */
  readonly app: FastifyInstance;
  /** Sets the server's clock; undefined goes back to the real one. */
  setNow(ms: number | undefined): void;
  close(): Promise<void>;
}

export interface TestCollectorOptions {
  readonly databaseUrl?: string;
  /** Extra collector.yaml text, e.g. "limits: { max_body_bytes: 1KiB }". */
  readonly yaml?: string;
}

export async function startTestCollector(options: TestCollectorOptions = {}): Promise<TestCollector> {
  const dir = mkdtempSync(join(tmpdir(), 'hostpulse-collector-'));
  const file = join(dir, 'collector.yaml');
  writeFileSync(file, `listen: 127.0.0.1:0\ndata_dir: ${dir}\n${options.yaml ?? ''}\n`);
  const config = loadCollectorConfig(file, options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {});
  const log = silentLogger();
  const policy = storagePolicyOf(config);
  const storage = await openStorage({ databaseUrl: config.database.url, poolMax: 4, dataDir: dir, log, policy });
  await storage.migrate();

  const tokens = {
    agent: await addToken(storage, 'agent-1', null),
    otherAgent: await addToken(storage, 'agent-2', null),
    viewer: await addToken(storage, 'viewer', 'viewer'),
    operator: await addToken(storage, 'operator', 'operator'),
    admin: await addToken(storage, 'admin', 'admin'),
  };
  const alerting = recordingAlerting();
  let fixedNow: number | undefined;
  const metrics = createCollectorMetrics('0.0.0-test');
  addStorageGauges(metrics, storage);
  const now = () => fixedNow ?? Date.now();
  const app: FastifyInstance = buildServer({ config, storage, alerting, log, now, metrics });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;

  return {
    app,
    metrics,
    url: `http://127.0.0.1:${port}`,
    storage,
    config,
    alerting,
    tokens,
    setNow: (ms) => {
      fixedNow = ms;
    },
    close: async () => {
      await app.close();
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function addToken(storage: Storage, name: string, role: Role | null): Promise<string> {
  const token = generateToken();
  await storage.createToken({ name, kind: role === null ? 'agent' : 'api', role, hash: hashToken(token) });
  return token;
}

function recordingAlerting(): RecordingAlerting {
  const observed: IngestBatch[] = [];
  return {
    observed,
    observe: (batch) => {
      observed.push(batch);
    },
    start: () => undefined,
    stop: async () => undefined,
  };
}

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly json: any;
}

/** One real HTTP request; the body is parsed as JSON when it is JSON. */
export async function call(
  url: string,
  options: { method?: string; token?: string; headers?: Record<string, string>; body?: Buffer | Uint8Array } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const method = (options.method ?? 'GET') as Dispatcher.HttpMethod;
  const response = await request(url, { method, headers, body: options.body });
  const text = await response.body.text();
  const isJson = String(response.headers['content-type'] ?? '').includes('application/json');
  return { status: response.statusCode, headers: response.headers, json: isJson && text !== '' ? JSON.parse(text) : text };
}
