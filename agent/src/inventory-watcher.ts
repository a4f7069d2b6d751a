import { resolve } from 'node:path';
import type { Inventory, Logger } from '@hostpulse/shared';
import { readInventory } from './inventory.js';

// Keeps the host's inventory current: read at start, read again every refreshMs (memory and
// CPUs can be hot-plugged, the kernel or OS upgraded under a running agent), and handed to the
// daemon whenever it differs from the one last written to the buffer, so the collector gets it
// once per start and again on each change. The reading runs on its own timer, never inside a
// sampling cycle: systeminformation spawns processes, which a cycle must not wait for.

export const INVENTORY_REFRESH_MS = 10 * 60_000;

/** The part of the watcher the daemon uses. */
export interface InventorySource {
  /** The inventory when it has not been sent yet in this form, else undefined. */
  due(): Inventory | undefined;
  /** Called once the batch carrying it is in the buffer. */
  markSent(inventory: Inventory): void;
}

/** What systeminformation says of the machine; only asked when root is `/`. */
export type Refine = () => Promise<{ virtualization: string } | undefined>;

export interface InventoryWatcherOptions {
  readonly rootDir: string;
  readonly log: Logger;
  readonly refreshMs?: number;
  readonly refine?: Refine;
}

export class InventoryWatcher implements InventorySource {
  private latest: Inventory;
  private sentKey: string | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: InventoryWatcherOptions) {
    this.latest = readInventory(options.rootDir);
  }

  start(): void {
    void this.refresh();
    const everyMs = this.options.refreshMs ?? INVENTORY_REFRESH_MS;
    this.timer = setInterval(() => void this.refresh(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  due(): Inventory | undefined {
    return JSON.stringify(this.latest) === this.sentKey ? undefined : this.latest;
  }

  markSent(inventory: Inventory): void {
    this.sentKey = JSON.stringify(inventory);
  }

  /** Reads the files again and, at root `/`, asks systeminformation about virtualisation. */
  async refresh(): Promise<void> {
    const { rootDir, log } = this.options;
    const next = { ...readInventory(rootDir) };
    const refine = this.options.refine ?? refineWithSysteminformation;
    // systeminformation looks at the agent's own machine (/, /proc, dmidecode), which is the
    // host only when root is `/`; under another root the files alone describe the host.
    if (resolve(rootDir) === '/') {
      try {
        const refined = await refine();
        if (refined?.virtualization) next.virtualization = refined.virtualization;
      } catch (err) {
        log.debug({ err }, 'virtualisation not detected; the DMI names stand');
      }
    }
    if (JSON.stringify(next) !== JSON.stringify(this.latest) && this.sentKey !== undefined) {
      log.info({ inventory: next }, 'host inventory changed');
    }
    this.latest = next;
  }
}

/** systeminformation's system(): "docker on KVM", "KVM", "" on bare metal. */
async function refineWithSysteminformation(): Promise<{ virtualization: string }> {
  // Only the module that has system(): the package's index loads every module it has, over
  // 1 MiB of source the agent would keep in memory for nothing (bench/README.md).
  // The package declares no types for its modules, hence the name in a variable and the cast.
  const systemModule = 'systeminformation/lib/system.js';
  const { system: readSystem } = (await import(systemModule)) as {
    system: (typeof import('systeminformation'))['system'];
  };
  const system = await readSystem();
  const container = /docker/i.test(system.model) ? 'docker' : '';
  const hypervisor = system.virtual ? system.virtualHost || (container ? '' : 'virtual') : '';
  return { virtualization: [container, hypervisor].filter(Boolean).join(' on ') };
}
