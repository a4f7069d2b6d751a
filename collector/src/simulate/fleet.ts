import { randomUUID } from 'node:crypto';
import type { DayShape } from './day-pattern.js';
import { unit } from './noise.js';

// The simulated fleet: who each host is. Everything here derives from the seed and the host's
// index, so one seed always gives the same fleet; only the incarnation is new on every run,
// because a second run must not be taken for a resend of the first one's batches.

const GIB = 2 ** 30;
const ROLES = ['web', 'web', 'api', 'db', 'cache', 'worker'] as const;
const TIMEZONES = [-5, 0, 1, 1, 2, 8] as const;
const CPU_COUNTS = [2, 4, 4, 8, 16] as const;
const MEMORY_GIB = [4, 8, 16, 32, 64] as const;

export type Role = (typeof ROLES)[number];

export interface SimFilesystem {
  readonly labels: Readonly<Record<string, string>>;
  readonly sizeBytes: number;
  /** Share used at the start of the fill cycle, and the growth over one cycle. */
  readonly baseUsed: number;
  readonly growth: number;
}

export interface SimHost {
  readonly index: number;
  readonly agentId: string;
  readonly hostName: string;
  readonly incarnation: string;
  readonly role: Role;
  readonly labels: Readonly<Record<string, string>>;
  readonly cpuCount: number;
  readonly memoryBytes: number;
  readonly day: DayShape;
  readonly filesystems: readonly SimFilesystem[];
  /** The next batch's sequence number; grows by one per batch sent. */
  seq: number;
}

export interface FleetOptions {
  readonly agents: number;
  readonly seed: number;
  /** Agent ids and host names start with it, so two fleets can share one collector. */
  readonly prefix: string;
}

export function createFleet(options: FleetOptions): SimHost[] {
  return Array.from({ length: options.agents }, (_, index) => createHost(options, index));
}

function createHost(options: FleetOptions, index: number): SimHost {
  const { seed, prefix } = options;
  const pick = <T>(list: readonly T[], salt: number): T =>
    list[Math.floor(unit(seed, index, salt) * list.length)] as T;
  const role = pick(ROLES, 1);
  const number = String(index + 1).padStart(5, '0');
  const floor = 0.03 + unit(seed, index, 5) * 0.12;
  return {
    index,
    agentId: `${prefix}-${number}`,
    hostName: `${prefix}-${role}-${number}`,
    incarnation: randomUUID(),
    role,
    labels: { env: 'simulated', role },
    cpuCount: pick(CPU_COUNTS, 2),
    memoryBytes: pick(MEMORY_GIB, 3) * GIB,
    day: {
      utcOffsetHours: pick(TIMEZONES, 4),
      floor,
      peak: floor + 0.3 + unit(seed, index, 6) * 0.55,
    },
    filesystems: [
      filesystem('/', 'vda1', 'ext4', 40, unit(seed, index, 7)),
      filesystem('/var', 'vda2', 'ext4', 100, unit(seed, index, 8)),
      filesystem('/srv', 'vdb1', 'xfs', 500, unit(seed, index, 9)),
    ],
    seq: 1,
  };
}

function filesystem(
  mount: string,
  device: string,
  fstype: string,
  gib: number,
  r: number,
): SimFilesystem {
  return {
    labels: { mount, device, fstype },
    sizeBytes: gib * GIB,
    baseUsed: 0.2 + r * 0.4,
    growth: 0.05 + r * 0.2,
  };
}
