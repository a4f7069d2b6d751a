import type { MaintenanceState } from '../resolution.js';
import type { StatementCache } from './open-database.js';

// storage_state, as on PostgreSQL (postgres/maintenance-state.ts): values only move forward.

const READ = 'SELECT name, value_ms FROM storage_state';
const ADVANCE = `
INSERT INTO storage_state (name, value_ms) VALUES (?, ?)
ON CONFLICT (name) DO UPDATE SET value_ms = max(value_ms, excluded.value_ms)`;

export type StateName = 'rolled_through_ms' | 'raw_from_ms';

export function readMaintenanceState(statements: StatementCache): MaintenanceState {
  const rows = statements.get(READ).all() as { name: StateName; value_ms: number }[];
  const value = (name: StateName) => rows.find((row) => row.name === name)?.value_ms;
  return { rolledThroughMs: value('rolled_through_ms'), rawFromMs: value('raw_from_ms') };
}

export function advanceState(statements: StatementCache, name: StateName, valueMs: number): void {
  statements.get(ADVANCE).run(name, valueMs);
}
