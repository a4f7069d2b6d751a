import type { Migration } from '../../migration.js';

// The same tables and meaning as postgres/migrations/001-core.ts. JSON columns are TEXT holding
// JSON; SQLite's text order is binary, which PostgreSQL queries match with COLLATE "C".
export const coreMigration: Migration = {
  name: '001-core',
  sql: `
CREATE TABLE hosts (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  labels TEXT NOT NULL,
  agent_version TEXT NOT NULL,
  first_seen_ms INTEGER NOT NULL,
  last_seen_ms INTEGER NOT NULL,
  interval_ms INTEGER NOT NULL,
  clock_skew_ms INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('up', 'stopped')),
  inventory TEXT,
  last_incarnation TEXT NOT NULL
);
CREATE INDEX hosts_name ON hosts (name, last_seen_ms DESC);

CREATE TABLE series (
  id INTEGER PRIMARY KEY,
  host_id TEXT NOT NULL REFERENCES hosts (id),
  metric TEXT NOT NULL,
  labels TEXT NOT NULL,
  labels_key TEXT NOT NULL,
  UNIQUE (host_id, metric, labels_key)
);
CREATE INDEX series_metric ON series (metric);

CREATE TABLE samples (
  series_id INTEGER NOT NULL,
  t_ms INTEGER NOT NULL,
  value REAL NOT NULL
);
CREATE INDEX samples_series_time ON samples (series_id, t_ms);

CREATE TABLE batches (
  agent_id TEXT NOT NULL,
  incarnation TEXT NOT NULL,
  seq INTEGER NOT NULL,
  received_ms INTEGER NOT NULL,
  samples INTEGER NOT NULL,
  PRIMARY KEY (agent_id, incarnation, seq)
) WITHOUT ROWID;

CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  host_id TEXT NOT NULL REFERENCES hosts (id),
  t_ms INTEGER NOT NULL,
  kind TEXT NOT NULL,
  labels TEXT NOT NULL,
  message TEXT NOT NULL
);
CREATE INDEX events_host_time ON events (host_id, t_ms);

CREATE TABLE gaps (
  id INTEGER PRIMARY KEY,
  host_id TEXT NOT NULL REFERENCES hosts (id),
  from_ms INTEGER NOT NULL,
  to_ms INTEGER NOT NULL,
  batches INTEGER NOT NULL CHECK (batches >= 0),
  reason TEXT NOT NULL,
  received_ms INTEGER NOT NULL,
  CONSTRAINT gaps_from_before_to CHECK (from_ms <= to_ms)
);
CREATE INDEX gaps_host_time ON gaps (host_id, from_ms);

CREATE TABLE tokens (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('agent', 'api')),
  role TEXT CHECK (role IN ('viewer', 'operator', 'admin')),
  hash TEXT NOT NULL UNIQUE,
  created_ms INTEGER NOT NULL,
  revoked_ms INTEGER
);
CREATE UNIQUE INDEX tokens_live_name ON tokens (name) WHERE revoked_ms IS NULL;
`,
};
