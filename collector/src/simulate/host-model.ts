import type { WireEvent } from '@hostpulse/shared';
import { dayActivity, noisyActivity } from './day-pattern.js';
import type { SimHost } from './fleet.js';
import { activeIncidents, find, type Incident, type IncidentOptions } from './incidents.js';
import { gaussian, smoothNoise } from './noise.js';
import { backupSamples } from './backups.js';
import { checkEvents, checkSamples } from './checks.js';

// What a simulated host's agent would report at one time: the SPEC §3.3 metrics with the labels
// its samplers use, 60 series for a healthy host. Busy-ness follows the host's day curve with
// noise; memory drifts over hours; filesystems fill over a month and are cleaned up.

const MIB = 2 ** 20;
const FILL_CYCLE_MS = 30 * 86_400_000;
const DISKS = [{ device: 'vda' }, { device: 'vdb' }] as const;
const NETWORK = { interface: 'eth0' } as const;
const NO_LABELS = {} as const;

export interface SimSample {
  readonly metric: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface HostCycle {
  readonly samples: SimSample[];
  readonly events: WireEvent[];
}

export interface ModelOptions extends IncidentOptions {
  readonly intervalMs: number;
}

/** The host's samples and events for the cycle at `tMs`. */
export function sampleHost(host: SimHost, tMs: number, options: ModelOptions): HostCycle {
  const incidents = activeIncidents(options, host.index, tMs);
  const before = activeIncidents(options, host.index, tMs - options.intervalMs);
  const samples: SimSample[] = [];
  const add = (metric: string, labels: SimSample['labels'], value: number) =>
    samples.push({ metric, labels, value });
  const seed = options.seed;
  const activity = noisyActivity(tMs, host.day, seed, host.index * 64);

  addCpuAndLoad(add, host, tMs, activity, seed);
  addMemory(add, host, tMs, activity, seed);
  addFilesystems(add, host, tMs, incidents, seed);
  addDisksAndNetwork(add, host, tMs, activity, seed);
  for (const s of backupSamples(host, tMs, incidents, seed)) samples.push(s);
  for (const s of checkSamples(host, tMs, activity, incidents, seed)) samples.push(s);
  addAgentSelf(add, host, tMs, seed);
  return { samples, events: checkEvents(tMs, incidents, before) };
}

type Add = (metric: string, labels: SimSample['labels'], value: number) => void;

function addCpuAndLoad(add: Add, host: SimHost, tMs: number, activity: number, seed: number): void {
  const n = (key: number) => gaussian(seed, host.index, key, Math.floor(tMs / 1000));
  add('cpu_usage_percent', NO_LABELS, clamp(activity * 100 + n(1) * 1.5, 0, 100));
  add('cpu_iowait_percent', NO_LABELS, clamp(0.3 + activity * 4 + n(2) * 0.4, 0, 100));
  add('cpu_steal_percent', NO_LABELS, clamp(0.1 + n(3) * 0.1, 0, 100));

  // Load averages lag the instantaneous load: 5m and 15m read the calmer day curve earlier on.
  const cores = host.cpuCount;
  add('load_1m', NO_LABELS, Math.max(0, activity * cores * 1.1 + n(4) * 0.1));
  add('load_5m', NO_LABELS, dayActivity(tMs - 150_000, host.day) * cores * 1.1);
  add('load_15m', NO_LABELS, dayActivity(tMs - 450_000, host.day) * cores * 1.1);
}

function addMemory(add: Add, host: SimHost, tMs: number, activity: number, seed: number): void {
  const drift = smoothNoise(seed, host.index * 64 + 10, tMs, 4 * 3_600_000);
  const usedPercent = clamp(45 + drift * 20 + activity * 15, 5, 98);
  add('memory_total_bytes', NO_LABELS, host.memoryBytes);
  add('memory_available_bytes', NO_LABELS, Math.round(host.memoryBytes * (1 - usedPercent / 100)));
  add('memory_used_percent', NO_LABELS, usedPercent);
  const swapDrift = smoothNoise(seed, host.index * 64 + 11, tMs, 6 * 3_600_000);
  add('swap_used_percent', NO_LABELS, clamp(2 + swapDrift * 2, 0, 100));
}

function addFilesystems(
  add: Add,
  host: SimHost,
  tMs: number,
  incidents: Incident[],
  seed: number,
): void {
  host.filesystems.forEach((fs, i) => {
    const phase = (seed % 1000) / 1000 + host.index * 0.137 + i * 0.31;
    const cycle = (tMs / FILL_CYCLE_MS + phase) % 1;
    let used = fs.baseUsed + fs.growth * cycle;
    // A filling incident hits /var or /srv (targets 0 and 1 are filesystems 1 and 2).
    const filling = i > 0 ? find(incidents, 'disk_fill', i - 1) : undefined;
    if (filling) {
      const progress = (tMs - filling.startMs) / (filling.endMs - filling.startMs);
      used += (0.99 - used) * Math.min(1, progress * 1.1);
    }
    const avail = Math.round(fs.sizeBytes * (1 - used));
    add('filesystem_size_bytes', fs.labels, fs.sizeBytes);
    add('filesystem_avail_bytes', fs.labels, avail);
    add('filesystem_used_percent', fs.labels, used * 100);
    add('filesystem_inodes_used_percent', fs.labels, 3 + used * 30);
  });
}

function addDisksAndNetwork(
  add: Add,
  host: SimHost,
  tMs: number,
  activity: number,
  seed: number,
): void {
  const second = Math.floor(tMs / 1000);
  const wobble = (key: number) => 1 + 0.2 * gaussian(seed, host.index, key, second);
  DISKS.forEach((labels, i) => {
    const scale = i === 0 ? 1 : 3;
    const read = activity * 12 * MIB * scale * wobble(20 + i);
    const write = activity * 5 * MIB * scale * wobble(22 + i);
    add('disk_read_bytes_per_second', labels, Math.max(0, read));
    add('disk_write_bytes_per_second', labels, Math.max(0, write));
    add('disk_busy_percent', labels, clamp(activity * 55 * wobble(24 + i), 0, 100));
  });
  const receive = Math.max(0, (0.02 + activity) * 40 * MIB * wobble(30));
  add('network_receive_bytes_per_second', NETWORK, receive);
  add('network_transmit_bytes_per_second', NETWORK, receive * 0.6 * wobble(31));
  // A few hosts see the odd error on their link; most see none.
  const errors = gaussian(seed, host.index, 32, second) > 1.4 ? 0.1 : 0;
  add('network_receive_errors_per_second', NETWORK, errors);
  add('network_transmit_errors_per_second', NETWORK, 0);
}

function addAgentSelf(add: Add, host: SimHost, tMs: number, seed: number): void {
  const n = gaussian(seed, host.index, 40, Math.floor(tMs / 1000));
  add('agent_buffer_batches', NO_LABELS, 0);
  add('agent_buffer_bytes', NO_LABELS, 0);
  add('agent_buffer_dropped_batches_total', NO_LABELS, 0);
  add('agent_cycle_seconds', NO_LABELS, 0.04 + Math.abs(n) * 0.01);
  add('agent_resident_memory_bytes', NO_LABELS, Math.round((38 + n) * MIB));
}

export function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
