import { cpus, platform, release, totalmem, type as osType, uptime } from 'node:os';
import type { Inventory } from '@hostpulse/shared';

// What the collector shows about the host (SPEC §5.4 hosts): sent with the first batch after
// start. node:os reads the kernel's view, which is the host's even inside a container.
// TODO: virtualization is left empty; telling KVM, Xen or a container apart needs reads of
// /sys/class/dmi and /proc/1/cgroup under the configured root, which no sampler does yet.

export function readInventory(nowMs: number): Inventory {
  const cpuList = cpus();
  return {
    os: `${osType()} (${platform()})`,
    kernel: release(),
    cpuModel: cpuList[0]?.model.trim() ?? '',
    cpuCount: cpuList.length,
    memoryBytes: totalmem(),
    virtualization: '',
    bootTimeMs: Math.round(nowMs - uptime() * 1000),
  };
}
