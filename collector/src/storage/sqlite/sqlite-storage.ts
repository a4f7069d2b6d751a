import type Database from 'better-sqlite3';
import type { Logger } from '@hostpulse/shared';
import type { OnMigrationApplied } from '../migration.js';
import { DEFAULT_STORAGE_POLICY, type StoragePolicy } from '../policy.js';
import { SeriesCache } from '../series-cache.js';
import { SeriesLimiter } from '../series-limit.js';
import type {
  AuditEntry,
  AuditFilter,
  AuditRecord,
  HostRecord,
  IngestBatch,
  IngestResult,
  LatestValue,
  NewToken,
  MaintenanceResult,
  StorageCounters,
  QueryRequest,
  SeriesResult,
  Storage,
  StoredEvent,
  StoredGap,
  TokenRecord,
} from '../storage.js';
import { NOTHING_DONE } from '../storage.js';
import { eventsSqlite, findHostSqlite, gapsSqlite, latestSqlite, listHostsSqlite } from './hosts.js';
import { listAuditSqlite, recordAuditSqlite } from './audit.js';
import { ingestSqlite } from './ingest.js';
import { SeriesShapes } from '../series-shapes.js';
import { migrateSqlite, pendingSqlite } from './migrate.js';
import { sqliteMigrations } from './migrations/index.js';
import { openDatabase, StatementCache } from './open-database.js';
import { querySqlite } from './query.js';
import { applyRetentionSqlite } from './retention.js';
import { rollUpSqlite } from './rollup.js';
import { withSqliteErrors } from './sqlite-errors.js';
import { createTokenSqlite, findTokenSqlite, listTokensSqlite, revokeTokenSqlite } from './tokens.js';

export interface SqliteStorageOptions {
  /** The database file; created when missing. */
  readonly path: string;
  readonly log: Logger;
  readonly now?: () => number;
  readonly policy?: StoragePolicy;
}

/**
 * Storage in one SQLite file. better-sqlite3 is synchronous: every method runs to completion
 * before it returns its promise, which also means one batch is written at a time.
 */
export class SqliteStorage implements Storage {
  readonly kind = 'sqlite';
  /** For other parts that keep their own tables in the same file (alerting). */
  readonly db: Database.Database;
  readonly path: string;
  private readonly statements: StatementCache;
  private readonly now: () => number;
  private readonly seriesCache = new SeriesCache();
  private readonly shapes = new SeriesShapes();
  private readonly limiter: SeriesLimiter;
  private readonly policy: StoragePolicy;
  private readonly log: Logger;

  constructor(options: SqliteStorageOptions) {
    this.path = options.path;
    this.log = options.log;
    this.policy = options.policy ?? DEFAULT_STORAGE_POLICY;
    this.limiter = new SeriesLimiter(this.policy.seriesPerHost, options.log);
    this.db = openDatabase(options.path);
    this.statements = new StatementCache(this.db);
    this.now = options.now ?? Date.now;
  }

  migrate(onApplied?: OnMigrationApplied): Promise<void> {
    return this.run('migrate', () => migrateSqlite(this.db, sqliteMigrations, onApplied));
  }

  pendingMigrations(): Promise<string[]> {
    return this.run('read the schema version', () => pendingSqlite(this.db, sqliteMigrations));
  }

  ping(): Promise<void> {
    return this.run('ping', () => {
      this.statements.get('SELECT 1').get();
    });
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  ingest(batch: IngestBatch): Promise<IngestResult> {
    const { statements, seriesCache, limiter } = this;
    return this.run('ingest', () => ingestSqlite(statements, seriesCache, this.shapes, limiter, batch));
  }

  listHosts(): Promise<HostRecord[]> {
    return this.run('list hosts', () => listHostsSqlite(this.statements));
  }

  findHost(idOrName: string): Promise<HostRecord | undefined> {
    return this.run('find host', () => findHostSqlite(this.statements, idOrName));
  }

  latest(hostId: string): Promise<LatestValue[]> {
    return this.run('latest', () => latestSqlite(this.statements, hostId));
  }

  query(request: QueryRequest): Promise<SeriesResult[]> {
    return this.run('query', () => querySqlite(this.statements, request));
  }

  events(hostId: string, sinceMs: number): Promise<StoredEvent[]> {
    return this.run('events', () => eventsSqlite(this.statements, hostId, sinceMs));
  }

  gaps(hostId: string): Promise<StoredGap[]> {
    return this.run('gaps', () => gapsSqlite(this.statements, hostId));
  }

  /** SQLite has no partitions: nothing to prepare. */
  async preparePartitions(): Promise<MaintenanceResult> {
    return NOTHING_DONE;
  }

  rollUp(nowMs: number): Promise<MaintenanceResult> {
    return this.run('rollup', () => rollUpSqlite(this.statements, nowMs));
  }

  applyRetention(nowMs: number): Promise<MaintenanceResult> {
    const guard = <T>(step: () => T) => this.run('retention', step);
    return applyRetentionSqlite(this.statements, this.policy, nowMs, this.log, guard);
  }

  counters(): StorageCounters {
    return this.limiter.counters();
  }

  createToken(token: NewToken, audit?: AuditEntry): Promise<void> {
    return this.run('create token', () => createTokenSqlite(this.statements, token, audit, this.now()));
  }

  findToken(hash: string): Promise<TokenRecord | undefined> {
    return this.run('find token', () => findTokenSqlite(this.statements, hash));
  }

  listTokens(): Promise<TokenRecord[]> {
    return this.run('list tokens', () => listTokensSqlite(this.statements));
  }

  revokeToken(name: string, audit?: AuditEntry): Promise<boolean> {
    return this.run('revoke token', () => revokeTokenSqlite(this.statements, name, audit, this.now()));
  }

  recordAudit(entry: AuditEntry): Promise<void> {
    return this.run('record audit', () => recordAuditSqlite(this.statements, entry, this.now()));
  }

  listAudit(filter: AuditFilter): Promise<AuditRecord[]> {
    return this.run('list audit', () => listAuditSqlite(this.statements, filter));
  }

  private run<T>(what: string, operation: () => T): Promise<T> {
    return withSqliteErrors(what, this.path, operation);
  }
}
