import type pg from 'pg';
import type { MaintenanceState } from '../resolution.js';

// storage_state (migration 004): what the maintenance jobs last recorded, read by queries to
// choose between raw samples and rollups (resolution.ts). Values only ever move forward.

const READ = 'SELECT name, value_ms FROM storage_state';
const ADVANCE = `
INSERT INTO storage_state (name, value_ms) VALUES ($1, $2)
ON CONFLICT (name) DO UPDATE SET value_ms = GREATEST(storage_state.value_ms, excluded.value_ms)`;

export type StateName = 'rolled_through_ms' | 'raw_from_ms';

export async function readMaintenanceState(db: pg.Pool | pg.PoolClient): Promise<MaintenanceState> {
  const rows = (await db.query<{ name: StateName; value_ms: number }>(READ)).rows;
  const value = (name: StateName) => rows.find((row) => row.name === name)?.value_ms;
  return { rolledThroughMs: value('rolled_through_ms'), rawFromMs: value('raw_from_ms') };
}

export async function advanceState(
  db: pg.Pool | pg.PoolClient,
  name: StateName,
  valueMs: number,
): Promise<void> {
  await db.query(ADVANCE, [name, valueMs]);
}
