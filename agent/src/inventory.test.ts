import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@hostpulse/shared';
import { hypervisorFromDmi, readInventory } from './inventory.js';
import { InventoryWatcher } from './inventory-watcher.js';
import { fixtureRoot } from '../test/fixtures/snapshot-root.js';

const KVM_GUEST = {
  os: 'Ubuntu 22.04.4 LTS',
  kernel: '6.8.0-45-generic',
  cpuModel: 'AMD EPYC 7763 64-Core Processor',
  cpuCount: 4,
  memoryBytes: 16384000 * 1024,
  virtualization: 'KVM',
  bootTimeMs: 1764860000 * 1000,
};

describe('readInventory', () => {
  it('describes the host from the files under the root', () => {
    expect(readInventory(fixtureRoot('kvm-guest'))).toEqual(KVM_GUEST);
  });

  it('leaves fields empty when a minimal root lacks their files', () => {
    const inventory = readInventory(fixtureRoot('old-kernel'));
    expect(inventory).toMatchObject({ os: 'Linux', kernel: '', cpuModel: '', cpuCount: 0 });
    expect(inventory.virtualization).toBe('');
  });

  it.each([
    ['QEMU', 'Standard PC (Q35 + ICH9, 2009)', 'KVM'],
    ['VMware, Inc.', 'VMware Virtual Platform', 'VMware'],
    ['innotek GmbH', 'VirtualBox', 'VirtualBox'],
    ['Microsoft Corporation', 'Virtual Machine', 'Hyper-V'],
    ['Dell Inc.', 'PowerEdge R640', ''],
  ])('hypervisorFromDmi: %s / %s', (vendor, product, expected) => {
    const root = mkdtempSync(join(tmpdir(), 'hostpulse-dmi-'));
    try {
      cpSync(fixtureRoot('kvm-guest/sys'), join(root, 'sys'), { recursive: true });
      writeFileSync(join(root, 'sys/class/dmi/id/sys_vendor'), `${vendor}\n`);
      writeFileSync(join(root, 'sys/class/dmi/id/product_name'), `${product}\n`);
      expect(hypervisorFromDmi(root)).toBe(expected);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('InventoryWatcher', () => {
  let root: string;

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('hands the inventory over once, then again only when it changed', async () => {
    root = mkdtempSync(join(tmpdir(), 'hostpulse-inventory-'));
    cpSync(fixtureRoot('kvm-guest'), root, { recursive: true });
    let refined = 0;
    const refine = async () => {
      refined += 1;
      return { virtualization: 'never asked under a root other than /' };
    };
    const watcher = new InventoryWatcher({ rootDir: root, log: silentLogger(), refine });
    const first = watcher.due();
    expect(first).toEqual(KVM_GUEST);
    watcher.markSent(first!);
    await watcher.refresh();
    expect(watcher.due()).toBeUndefined();

    // Memory hot-plugged: 16 GB become 32 GB.
    const meminfo = join(root, 'proc/meminfo');
    writeFileSync(meminfo, readFileSync(meminfo, 'utf8').replace('16384000 kB', '32768000 kB'));
    await watcher.refresh();
    const changed = watcher.due();
    expect(changed?.memoryBytes).toBe(32768000 * 1024);
    watcher.markSent(changed!);
    expect(watcher.due()).toBeUndefined();
    expect(refined).toBe(0);
  });

  it('asks systeminformation (or what stands for it) only when root is /', async () => {
    root = mkdtempSync(join(tmpdir(), 'hostpulse-inventory-'));
    const refine = async () => ({ virtualization: 'docker on KVM' });
    const watcher = new InventoryWatcher({ rootDir: '/', log: silentLogger(), refine });
    await watcher.refresh();
    expect(watcher.due()?.virtualization).toBe('docker on KVM');
  });
});
