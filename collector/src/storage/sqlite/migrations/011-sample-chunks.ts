import type { Migration } from '../../migration.js';

// PostgreSQL's 011 keeps raw samples as batch rows folded into 5-minute chunks, because one row
// per sample capped its ingest. The embedded store keeps one row per sample: SQLite writes them
// in one process without a network round trip or a commit per batch, and the installs it is
// for are small. The version is here so both backends name the same list.
export const sampleChunksMigration: Migration = {
  name: '011-sample-chunks',
  sql: '-- nothing to change on SQLite',
};
