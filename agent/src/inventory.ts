import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Inventory } from '@hostpulse/shared';

// What the collector shows about the host (SPEC §5.4 hosts), read from the host's files under
// the configured root, so an agent in a container with root /host describes the host and not
// its container: <root>/etc/os-release, <root>/proc/{cpuinfo,meminfo,stat}, the kernel release
// and the DMI names of <root>/sys. Plain file reads, cheap enough for the daemon's start; the
// costlier look of systeminformation (it spawns processes) is in inventory-watcher.ts.

export function readInventory(rootDir: string): Inventory {
  const cpuinfo = readText(rootDir, 'proc/cpuinfo') ?? '';
  const models = [...cpuinfo.matchAll(/^model name\s*:\s*(.*)$/gm)].map((m) => m[1]?.trim());
  const processors = cpuinfo.match(/^processor\s*:/gm)?.length ?? 0;
  const memTotalKiB = /^MemTotal:\s+(\d+) kB$/m.exec(readText(rootDir, 'proc/meminfo') ?? '');
  const btime = /^btime (\d+)$/m.exec(readText(rootDir, 'proc/stat') ?? '');
  return {
    os: readOsName(rootDir) ?? 'Linux',
    kernel: readText(rootDir, 'proc/sys/kernel/osrelease')?.trim() ?? '',
    cpuModel: models[0] ?? '',
    cpuCount: processors,
    memoryBytes: memTotalKiB ? Number(memTotalKiB[1]) * 1024 : 0,
    virtualization: hypervisorFromDmi(rootDir),
    // btime is whole seconds since the epoch and never moves, unlike now − uptime, so the
    // inventory does not look changed at every reading.
    bootTimeMs: btime ? Number(btime[1]) * 1000 : 0,
  };
}

/** PRETTY_NAME of os-release(5), or undefined when the file is missing or has none. */
export function readOsName(rootDir: string): string | undefined {
  const text = readText(rootDir, 'etc/os-release') ?? readText(rootDir, 'usr/lib/os-release');
  const line = text && /^PRETTY_NAME=(.*)$/m.exec(text)?.[1]?.trim();
  return line ? line.replace(/^(["'])(.*)\1$/, '$2') : undefined;
}

// Names that hypervisors write into the DMI tables (sys_vendor, product_name), first match wins.
const HYPERVISORS: readonly [RegExp, string][] = [
  [/KVM|QEMU|Amazon EC2|Google Compute/i, 'KVM'],
  [/VMware/i, 'VMware'],
  [/VirtualBox|innotek/i, 'VirtualBox'],
  [/Xen|HVM domU/i, 'Xen'],
  [/Microsoft Corporation Virtual Machine/i, 'Hyper-V'],
];

/** The hypervisor under the host by its DMI names; '' on bare metal or without DMI (ARM). */
export function hypervisorFromDmi(rootDir: string): string {
  const vendor = readText(rootDir, 'sys/class/dmi/id/sys_vendor')?.trim() ?? '';
  const product = readText(rootDir, 'sys/class/dmi/id/product_name')?.trim() ?? '';
  const names = `${vendor} ${product}`;
  return HYPERVISORS.find(([pattern]) => pattern.test(names))?.[1] ?? '';
}

/** The file's text, or undefined when it does not exist or cannot be read (minimal images). */
function readText(rootDir: string, relativePath: string): string | undefined {
  const file = join(rootDir, relativePath);
  if (!existsSync(file)) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch {
    // An unreadable file leaves its field empty: the inventory is informative, never fatal.
    return undefined;
  }
}
