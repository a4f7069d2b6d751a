import type { Migration } from '../../migration.js';
import { coreMigration } from './001-core.js';
import { alertsMigration } from './002-alerts.js';
import { alertOperationsMigration } from './003-alert-operations.js';
import { partitionsRollupsMigration } from './004-partitions-rollups.js';
import { auditMigration } from './005-audit.js';
import { outboxClaimsMigration } from './007-outbox-claims.js';
import { batchKeyPartitionsMigration } from './009-batch-key-partitions.js';
import { coveringSampleIndexMigration } from './010-covering-sample-index.js';
import { sampleChunksMigration } from './011-sample-chunks.js';

// Every SQLite migration, in the order they run; one import and one entry per file in this
// folder. The PostgreSQL list (../../postgres/migrations/index.ts) names the same versions.
export const sqliteMigrations: readonly Migration[] = [
  coreMigration,
  alertsMigration,
  alertOperationsMigration,
  partitionsRollupsMigration,
  auditMigration,
  outboxClaimsMigration,
  batchKeyPartitionsMigration,
  coveringSampleIndexMigration,
  sampleChunksMigration,
];
