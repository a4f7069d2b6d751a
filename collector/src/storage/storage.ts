// The one storage interface the collector uses. Two implementations keep it: PostgreSQL
// (storage/postgres/) and the embedded SQLite store (storage/sqlite/), and one test suite
// (test/storage.suite.ts) runs against both, so they answer the same.
//
// Invariants every implementation keeps:
// - A batch is stored exactly once: its key (agentId, incarnation, seq) is written in the same
//   transaction as its samples, events and gaps. A second store of the same key stores nothing
//   and answers { duplicate: true }, for as long as retention keeps the key (batch-keys.ts):
//   at least as long as an agent may still hold the batch and its raw samples are kept.
// - A batch is all or nothing: on any failure nothing of it stays.
// - Times are epoch milliseconds everywhere; values are doubles.

export type Role = 'viewer' | 'operator' | 'admin';
export type TokenKind = 'agent' | 'api';
export type Labels = Readonly<Record<string, string>>;

export interface IngestSeries {
  readonly metric: string;
  /** The series' own labels merged over the host's static labels. */
  readonly labels: Labels;
  readonly timestampsMs: readonly number[];
  readonly values: readonly number[];
}

export interface IngestEvent {
  readonly timeMs: number;
  readonly kind: string;
  readonly labels: Labels;
  readonly message: string;
}

export interface IngestGap {
  readonly fromMs: number;
  readonly toMs: number;
  readonly batches: number;
  readonly reason: string;
}

export interface HostInventory {
  readonly os: string;
  readonly kernel: string;
  readonly cpuModel: string;
  readonly cpuCount: number;
  readonly memoryBytes: number;
  readonly virtualization: string;
  readonly bootTimeMs: number;
}

export interface IngestBatch {
  readonly agentId: string;
  readonly incarnation: string;
  readonly seq: number;
  readonly hostName: string;
  readonly agentVersion: string;
  readonly hostLabels: Labels;
  readonly intervalMs: number;
  readonly receivedMs: number;
  /** receivedMs minus the agent's sent_at: positive when the agent's clock is behind. */
  readonly clockSkewMs: number;
  readonly stopping: boolean;
  readonly series: readonly IngestSeries[];
  readonly events: readonly IngestEvent[];
  readonly gaps: readonly IngestGap[];
  readonly inventory?: HostInventory | undefined;
}

export interface IngestResult {
  readonly duplicate: boolean;
  /** Samples stored by this call; 0 for a duplicate. */
  readonly acceptedSamples: number;
  /** NaN and ±Infinity values dropped by the values rule (docs/storage.md); 0 for a duplicate. */
  readonly rejectedSamples: number;
  /**
   * New series refused because their host reached limits.series_per_host; their samples are not
   * stored. Present only when some were refused.
   */
  readonly refusedSeries?: readonly SeriesRef[];
  /** Samples of the refused series; present with refusedSeries. */
  readonly refusedSamples?: number;
}

export interface SeriesRef {
  readonly metric: string;
  readonly labels: Labels;
}

export type HostState = 'up' | 'stopped';

export interface HostRecord {
  readonly id: string;
  readonly name: string;
  readonly labels: Labels;
  readonly agentVersion: string;
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
  readonly intervalMs: number;
  readonly clockSkewMs: number;
  /** What the agent last said: "stopped" after a goodbye. Down is judged from lastSeenMs. */
  readonly state: HostState;
  readonly inventory: HostInventory | null;
}

export type Aggregation = 'avg' | 'min' | 'max' | 'last';

export interface QueryRequest {
  readonly metric: string;
  /** Host ids to include; undefined means every host. */
  readonly hostIds?: readonly string[] | undefined;
  /** Label equality matchers. */
  readonly labels: Labels;
  readonly fromMs: number;
  readonly toMs: number;
  /** Without a step, raw samples; with one, one aggregated point per step. */
  readonly stepMs?: number | undefined;
  readonly agg: Aggregation;
  /** Most points returned over all series; the API refuses queries that would exceed it. */
  readonly maxPoints: number;
}

export interface SeriesResult {
  readonly metric: string;
  readonly hostId: string;
  readonly hostName: string;
  readonly labels: Labels;
  readonly points: readonly (readonly [number, number])[];
}

export interface LatestValue {
  readonly metric: string;
  readonly labels: Labels;
  readonly timeMs: number;
  readonly value: number;
}

export interface NewToken {
  readonly name: string;
  readonly kind: TokenKind;
  readonly role: Role | null;
  /** SHA-256 of the secret, hex; the secret itself is never stored. */
  readonly hash: string;
}

export interface TokenRecord {
  readonly name: string;
  readonly kind: TokenKind;
  readonly role: Role | null;
  readonly createdMs: number;
  readonly revokedMs: number | null;
}

/** One row of the audit log: who did what to which thing, and from where. */
export interface AuditEntry {
  /** A token name for API calls; `cli:<os user>` for the command line. */
  readonly actor: string;
  /** What was done, e.g. token.create, token.revoke, alert.ack, silence.create. */
  readonly action: string;
  /** What it was done to: a token name, an alert id, a silence id. */
  readonly target: string;
  readonly detail: Readonly<Record<string, unknown>>;
  /** The client's IP address; null for the command line. */
  readonly remoteAddress: string | null;
}

export interface AuditRecord extends AuditEntry {
  readonly id: number;
  readonly timeMs: number;
}

export interface AuditFilter {
  /** Rows at or after this time. */
  readonly sinceMs?: number | undefined;
  readonly action?: string | undefined;
  readonly actor?: string | undefined;
  /** Newest first, at most this many. */
  readonly limit: number;
}

export interface StoredEvent extends IngestEvent {
  readonly hostId: string;
}

export interface StoredGap extends IngestGap {
  readonly hostId: string;
}

/** What one run of a maintenance job did; `ran` is false when another replica holds the job. */
export interface MaintenanceResult {
  readonly ran: boolean;
  /** Partitions (PostgreSQL) made or dropped, by name. */
  readonly created: readonly string[];
  readonly dropped: readonly string[];
  /** Hosts whose samples the rollup job rolled up. */
  readonly hosts: number;
  /**
   * Raw samples the rollup job rolled up: PostgreSQL folds each sample once; SQLite recomputes
   * whole buckets, so a bucket that got a late sample counts all its samples again.
   */
  readonly rolledSamples: number;
  /** Raw sample chunks the rollup job wrote (PostgreSQL; SQLite keeps a row per sample). */
  readonly writtenChunks: number;
  /** Raw or rollup rows deleted (SQLite retention). */
  readonly deletedRows: number;
  /** Exactly-once keys deleted (SQLite; PostgreSQL drops their partitions, in `dropped`). */
  readonly deletedKeys: number;
  /** Events and gaps deleted past retention.rollup (both backends), apart from `deletedRows`. */
  readonly deletedEvents: number;
  readonly deletedGaps: number;
}

/** A run that changed nothing; results spread it and set what they did. */
export const NOTHING_DONE: MaintenanceResult = {
  ran: true,
  created: [],
  dropped: [],
  hosts: 0,
  rolledSamples: 0,
  writtenChunks: 0,
  deletedRows: 0,
  deletedKeys: 0,
  deletedEvents: 0,
  deletedGaps: 0,
};

/** Counters since start, for the collector's own metrics. */
export interface StorageCounters {
  /** Distinct series refused by limits.series_per_host (each counted once per process). */
  readonly refusedSeriesTotal: number;
  readonly refusedSamplesTotal: number;
}

export interface Storage {
  /** Applies pending migrations in order, reporting each with its duration. */
  migrate(onApplied?: (name: string, durationMs: number) => void): Promise<void>;
  /** Names of the migrations this build has and the database has not applied yet. */
  pendingMigrations(): Promise<string[]>;
  /** Throws `storage_unavailable` when the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;

  ingest(batch: IngestBatch): Promise<IngestResult>;

  listHosts(): Promise<HostRecord[]>;
  /** By id, or by name when no id matches. */
  findHost(idOrName: string): Promise<HostRecord | undefined>;
  latest(hostId: string): Promise<LatestValue[]>;
  query(request: QueryRequest): Promise<SeriesResult[]>;
  events(hostId: string, sinceMs: number): Promise<StoredEvent[]>;
  gaps(hostId: string): Promise<StoredGap[]>;

  // Maintenance, run by the jobs in collector/src/jobs/. With several replicas each run happens
  // on one of them at a time; the others answer { ran: false }.
  /** Makes the partitions the next days need (no-op on SQLite). */
  preparePartitions(nowMs: number): Promise<MaintenanceResult>;
  /** Rolls the raw samples that arrived since the last run up into 5-minute buckets. */
  rollUp(nowMs: number): Promise<MaintenanceResult>;
  /**
   * Drops raw samples past retention.raw, rollups, events and gaps past retention.rollup, and
   * exactly-once keys past the longer of retention.raw and retention.batch_keys (batch-keys.ts).
   */
  applyRetention(nowMs: number): Promise<MaintenanceResult>;
  counters(): StorageCounters;

  /** With `audit`, the audit row is written in the same transaction as the token. */
  createToken(token: NewToken, audit?: AuditEntry): Promise<void>;
  /** The live (not revoked) token with this hash. */
  findToken(hash: string): Promise<TokenRecord | undefined>;
  listTokens(): Promise<TokenRecord[]>;
  /** Returns false when no live token has this name (and then writes no audit row). */
  revokeToken(name: string, audit?: AuditEntry): Promise<boolean>;

  /** Adds one audit row, stamped with the storage clock (see collector/src/audit.ts). */
  recordAudit(entry: AuditEntry): Promise<void>;
  /** Audit rows, newest first. */
  listAudit(filter: AuditFilter): Promise<AuditRecord[]>;
}
