import { readFileSync } from 'node:fs';
import { cpus, release, totalmem, type as osType, uptime } from 'node:os';
import { join } from 'node:path';
import type { Inventory } from '@hostpulse/shared';

// What the collector shows about the host (SPEC §5.4 hosts): sent with the first batch after
// start. node:os reads the kernel's view, which is the host's even inside a container; the
// distribution's name comes from <root>/etc/os-release, the host's when root is /host.
// TODO: virtualization is left empty; telling KVM, Xen or a container apart needs reads of
// /sys/class/dmi and /proc/1/cgroup under the configured root, which no sampler does yet.

export function readInventory(rootDir: string, nowMs: number): Inventory {
  const cpuList = cpus();
  return {
    os: readOsName(rootDir) ?? osType(),
    kernel: release(),
    cpuModel: cpuList[0]?.model.trim() ?? '',
    cpuCount: cpuList.length,
    memoryBytes: totalmem(),
    virtualization: '',
    bootTimeMs: Math.round(nowMs - uptime() * 1000),
  };
}

/** PRETTY_NAME of os-release(5), or undefined when the file is missing or has none. */
export function readOsName(rootDir: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(join(rootDir, 'etc', 'os-release'), 'utf8');
  } catch {
    // Minimal images have no os-release; the kernel's name (os.type) stands in.
    return undefined;
  }
  const line = /^PRETTY_NAME=(.*)$/m.exec(text)?.[1]?.trim();
  return line ? line.replace(/^(["'])(.*)\1$/, '$2') : undefined;
}
