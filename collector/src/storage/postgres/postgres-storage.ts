import type pg from 'pg';
import { safeUrl, type Logger } from '@hostpulse/shared';
import { HostpulseError } from '@hostpulse/shared';
import type { HostSnapshot } from '../host-writes.js';
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
import { GroupWriter } from './group-writer.js';
import { eventsPostgres, findHostPostgres, gapsPostgres, latestPostgres, listHostsPostgres } from './hosts.js';
import { listAuditPostgres, recordAuditPostgres } from './audit.js';
import { ingestPostgres, type IngestState } from './ingest.js';
import { withMaintenanceLock, type JOB_LOCKS } from './maintenance-lock.js';
import { migratePostgres, pendingPostgres } from './migrate.js';
import { postgresMigrations } from './migrations/index.js';
import { IngestPartitions, isMissingPartition } from './partitions.js';
import { withPgErrors } from './pg-errors.js';
import { createPool } from './pool.js';
import { queryPostgres } from './query.js';
import { applyRetentionPostgres, preparePartitionsPostgres } from './retention.js';
import { foldPostgres } from './fold.js';
import { storeBatches } from './store-batches.js';
import { AgentTokenCache } from '../agent-token-cache.js';
import { SeriesShapes } from '../series-shapes.js';
import { createTokenPostgres, findTokenPostgres, listTokensPostgres, revokeTokenPostgres } from './tokens.js';

export interface PostgresStorageOptions {
  readonly databaseUrl: string;
  readonly poolMax: number;
  readonly log: Logger;
  readonly now?: () => number;
  readonly policy?: StoragePolicy;
}

const SKIPPED: MaintenanceResult = { ...NOTHING_DONE, ran: false };

// Ingest statements running at once. Since a batch is one row, a statement takes a millisecond
// or two, and batches arriving meanwhile join the next one (group-writer.ts): fewer statements
// in flight make fewer, larger commits. Measured with bench/ingest.mjs (1,000 agents, 3.6M
// samples; 10,000 real-time agents): 3 gave 97,600 samples/s and 48 % of a core with the
// collector's p99 within 50 ms, where 9 (pool_max - 1) gave 91,800 samples/s and 54-60 %,
// and 2 gave 83,500. The rest of the pool stays free for queries, tokens and jobs; a pool of
// one or two leaves none, and queries wait their turn.
const MAX_INGEST_STATEMENTS = 3;

/** Storage on PostgreSQL; every method turns "cannot reach the database" into storage_unavailable. */
export class PostgresStorage implements Storage {
  readonly kind = 'postgres';
  /** For other parts that keep their own tables in the same database (alerting). */
  readonly pool: pg.Pool;
  private readonly where: string;
  private readonly now: () => number;
  private readonly seriesCache = new SeriesCache();
  private readonly shapes = new SeriesShapes();
  private readonly hostWrites = new Map<string, HostSnapshot>();
  private readonly groups: GroupWriter;
  private readonly partitions: IngestPartitions;
  private readonly limiter: SeriesLimiter;
  private readonly policy: StoragePolicy;
  private readonly log: Logger;
  private readonly agentTokens: AgentTokenCache;

  constructor(options: PostgresStorageOptions) {
    this.pool = createPool(options);
    this.where = safeUrl(options.databaseUrl);
    this.now = options.now ?? Date.now;
    this.agentTokens = new AgentTokenCache(this.now);
    this.log = options.log;
    this.policy = options.policy ?? DEFAULT_STORAGE_POLICY;
    this.partitions = new IngestPartitions(this.pool);
    this.limiter = new SeriesLimiter(this.policy.seriesPerHost, options.log);
    const maxInFlight = Math.max(1, Math.min(MAX_INGEST_STATEMENTS, options.poolMax - 1));
    this.groups = new GroupWriter((group) => storeBatches(this.pool, group), { maxInFlight, maxSamples: 20_000 });
  }

  migrate(onApplied?: OnMigrationApplied): Promise<void> {
    return this.run('migrate', () => migratePostgres(this.pool, postgresMigrations, onApplied));
  }

  pendingMigrations(): Promise<string[]> {
    return this.run('read the schema version', () =>
      pendingPostgres(this.pool, postgresMigrations),
    );
  }

  ping(): Promise<void> {
    return this.run('ping', async () => {
      await this.pool.query('SELECT 1');
    });
  }

  async close(): Promise<void> {
    // pg.Pool refuses a second end(); callers close in `finally` blocks and may do it twice.
    if (this.pool.ended || this.pool.ending) return;
    await this.pool.end();
  }

  ingest(batch: IngestBatch): Promise<IngestResult> {
    const state: IngestState = {
      pool: this.pool,
      groups: this.groups,
      seriesCache: this.seriesCache,
      shapes: this.shapes,
      hostWrites: this.hostWrites,
      partitions: this.partitions,
      limiter: this.limiter,
    };
    return this.run('ingest', async () => {
      try {
        return await ingestPostgres(state, batch);
      } catch (err) {
        if (!isMissingPartition(err)) throw err;
        // Retention on another replica dropped a day this process still listed (partitions.ts).
        this.partitions.forget();
        const message = 'a daily partition of batch keys was dropped meanwhile; retry';
        throw new HostpulseError('storage_unavailable', message, {}, { cause: err });
      }
    });
  }

  preparePartitions(nowMs: number): Promise<MaintenanceResult> {
    return this.maintain('partitions', (client) => preparePartitionsPostgres(client, nowMs));
  }

  rollUp(nowMs: number): Promise<MaintenanceResult> {
    return this.maintain('rollup', (client) => foldPostgres(client, this.policy, nowMs));
  }

  applyRetention(nowMs: number): Promise<MaintenanceResult> {
    return this.maintain('retention', async (client) => {
      const result = await applyRetentionPostgres(client, this.policy, nowMs, this.log);
      if (result.dropped.length > 0) this.partitions.forget();
      return result;
    });
  }

  counters(): StorageCounters {
    return this.limiter.counters();
  }

  listHosts(): Promise<HostRecord[]> {
    return this.run('list hosts', () => listHostsPostgres(this.pool));
  }

  findHost(idOrName: string): Promise<HostRecord | undefined> {
    return this.run('find host', () => findHostPostgres(this.pool, idOrName));
  }

  latest(hostId: string): Promise<LatestValue[]> {
    return this.run('latest', () => latestPostgres(this.pool, hostId));
  }

  query(request: QueryRequest): Promise<SeriesResult[]> {
    return this.run('query', () => queryPostgres(this.pool, request));
  }

  events(hostId: string, sinceMs: number): Promise<StoredEvent[]> {
    return this.run('events', () => eventsPostgres(this.pool, hostId, sinceMs));
  }

  gaps(hostId: string): Promise<StoredGap[]> {
    return this.run('gaps', () => gapsPostgres(this.pool, hostId));
  }

  createToken(token: NewToken, audit?: AuditEntry): Promise<void> {
    return this.run('create token', () => createTokenPostgres(this.pool, token, audit, this.now()));
  }

  async findToken(hash: string): Promise<TokenRecord | undefined> {
    const cached = this.agentTokens.get(hash);
    if (cached) return cached;
    const found = await this.run('find token', () => findTokenPostgres(this.pool, hash));
    this.agentTokens.remember(hash, found);
    return found;
  }

  listTokens(): Promise<TokenRecord[]> {
    return this.run('list tokens', () => listTokensPostgres(this.pool));
  }

  revokeToken(name: string, audit?: AuditEntry): Promise<boolean> {
    this.agentTokens.forget(name);
    return this.run('revoke token', () => revokeTokenPostgres(this.pool, name, audit, this.now()));
  }

  recordAudit(entry: AuditEntry): Promise<void> {
    return this.run('record audit', () => recordAuditPostgres(this.pool, entry, this.now()));
  }

  listAudit(filter: AuditFilter): Promise<AuditRecord[]> {
    return this.run('list audit', () => listAuditPostgres(this.pool, filter));
  }

  private maintain(
    job: keyof typeof JOB_LOCKS,
    work: (client: pg.PoolClient) => Promise<MaintenanceResult>,
  ): Promise<MaintenanceResult> {
    return this.run(job, async () => (await withMaintenanceLock(this.pool, job, work)) ?? SKIPPED);
  }

  private run<T>(what: string, operation: () => Promise<T>): Promise<T> {
    return withPgErrors(what, this.where, operation);
  }
}
