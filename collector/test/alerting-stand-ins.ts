import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { silentLogger, type Logger } from '@hostpulse/shared';
import type { IngestBatch } from '../src/storage/storage.js';
import { sqliteMigrations } from '../src/storage/sqlite/migrations/index.js';
import { postgresMigrations } from '../src/storage/postgres/migrations/index.js';
import { createSqliteAlertStore } from '../src/alerting/store/sqlite.js';
import { createPostgresAlertStore } from '../src/alerting/store/postgres.js';
import type { AlertStore } from '../src/alerting/store/alert-store.js';
import { createTestDatabase } from './helpers/pg.js';

// Real servers and databases for the alerting and notifier tests, all on 127.0.0.1.

export interface SlackStandIn {
  readonly url: string;
  /** Bodies of the requests answered 200. */
  readonly messages: any[];
  /** Every request, whatever it was answered. */
  readonly requests: number;
  /** The next `count` requests get 429 with this Retry-After (seconds). */
  rateLimitNext(count: number, retryAfterSeconds: number): void;
  close(): Promise<void>;
}

/** Port 0 picks a free port; a given port restarts a stand-in where a closed one listened. */
export async function startSlack(port = 0): Promise<SlackStandIn> {
  const messages: any[] = [];
  let requests = 0;
  let limited = 0;
  let retryAfter = 1;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests++;
      if (limited > 0) {
        limited--;
        res.writeHead(429, { 'retry-after': String(retryAfter), 'content-type': 'text/plain' }).end('rate_limited');
        return;
      }
      messages.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
  const bound = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${bound}/services/T000/B000/secret-path`,
    messages,
    get requests() {
      return requests;
    },
    rateLimitNext(count, seconds) {
      limited = count;
      retryAfter = seconds;
    },
    close: () => new Promise((done) => server.close(() => done())),
  };
}

export { startSmtp, type SmtpStandIn } from './helpers/smtp-stand-in.js';

export interface TestStore {
  readonly store: AlertStore;
  /** Another store on the same database, as a restarted collector would open it. */
  reopen(): AlertStore;
  close(): Promise<void>;
}

export function sqliteTestStore(): TestStore {
  const dir = mkdtempSync(join(tmpdir(), 'hostpulse-alerting-'));
  const file = join(dir, 'collector.db');
  const handles: Database.Database[] = [];
  const open = (): AlertStore => {
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    handles.push(db);
    return createSqliteAlertStore(db);
  };
  const first = new Database(file);
  for (const migration of sqliteMigrations) first.exec(migration.sql);
  first.close();
  return {
    store: open(),
    reopen: open,
    async close() {
      for (const db of handles) db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function postgresTestStore(): Promise<TestStore> {
  const database = await createTestDatabase();
  const pools: pg.Pool[] = [];
  const open = (): AlertStore => {
    const pool = new pg.Pool({ connectionString: database.url, max: 4 });
    pool.on('error', ignoreDropped);
    pools.push(pool);
    return createPostgresAlertStore(pool);
  };
  const setup = new pg.Client(database.url);
  await setup.connect();
  for (const migration of postgresMigrations) await setup.query(migration.sql);
  await setup.end();
  return {
    store: open(),
    reopen: open,
    async close() {
      await Promise.all(pools.map((p) => p.end()));
      await database.drop();
    },
  };
}

/**
 * pool.end() resolves before its connections have closed, so the DROP DATABASE ... WITH
 * (FORCE) of close() may terminate one still closing (57P01 admin_shutdown); without a
 * listener the pool would throw that as an uncaught error. Anything else is a real failure.
 */
export function ignoreDropped(err: Error & { code?: string }): void {
  if (err.code !== '57P01') throw err;
}

export interface PointsOptions {
  readonly host?: string;
  readonly agentId?: string;
  readonly metric?: string;
  readonly labels?: Record<string, string>;
  readonly points: readonly (readonly [number, number])[];
  readonly receivedMs: number;
}

let seq = 0;

export function batchOf(options: PointsOptions): IngestBatch {
  return {
    agentId: options.agentId ?? 'agent-web-1',
    incarnation: 'inc-1',
    seq: ++seq,
    hostName: options.host ?? 'web-1',
    agentVersion: '0.1.0',
    hostLabels: {},
    intervalMs: 10_000,
    receivedMs: options.receivedMs,
    clockSkewMs: 0,
    stopping: false,
    series: [
      {
        metric: options.metric ?? 'cpu_usage_percent',
        labels: options.labels ?? { env: 'prod' },
        timestampsMs: options.points.map(([t]) => t),
        values: options.points.map(([, v]) => v),
      },
    ],
    events: [],
    gaps: [],
  };
}

export const quietLog: Logger = silentLogger();
