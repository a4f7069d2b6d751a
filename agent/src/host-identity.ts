import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

// Who this host is to the collector. `host.id: auto` uses <root>/etc/machine-id, which stays the
// same across reinstalls of the agent; without one (minimal containers) a generated id is kept
// in the buffer's meta table, so it lasts as long as the buffer file does.

export interface MetaStore {
  getMeta(key: string): string | undefined;
  /** Absent for read-only use (--once): nothing is generated then. */
  setMeta?(key: string, value: string): void;
}

export type HostIdSource = 'config' | 'machine-id' | 'buffer' | 'not yet generated';

export interface HostIdentity {
  readonly id: string;
  readonly idSource: HostIdSource;
  readonly name: string;
}

export interface IdentityInput {
  readonly configuredId: string;
  readonly configuredName: string;
  readonly rootDir: string;
  readonly store: MetaStore;
}

const HOST_ID_KEY = 'host_id';

export function resolveHostIdentity(input: IdentityInput): HostIdentity {
  const name = input.configuredName === 'auto' ? hostname() : input.configuredName;
  if (input.configuredId !== 'auto') return { id: input.configuredId, idSource: 'config', name };
  const machineId = readMachineId(input.rootDir);
  if (machineId) return { id: machineId, idSource: 'machine-id', name };
  const kept = input.store.getMeta(HOST_ID_KEY);
  if (kept) return { id: kept, idSource: 'buffer', name };
  if (!input.store.setMeta) {
    return { id: '(made at the first start)', idSource: 'not yet generated', name };
  }
  const made = randomUUID();
  input.store.setMeta(HOST_ID_KEY, made);
  return { id: made, idSource: 'buffer', name };
}

/** The machine id, or undefined when absent, empty or not yet set up by systemd. */
export function readMachineId(rootDir: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(join(rootDir, 'etc', 'machine-id'), 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  // systemd writes "uninitialized" during first boot; that is not an id.
  return /^[0-9a-f]{32}$/i.test(text) ? text.toLowerCase() : undefined;
}
