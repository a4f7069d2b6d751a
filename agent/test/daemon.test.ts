import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BatchMessage, silentLogger } from '@hostpulse/shared';
import { BatchBuffer } from '../src/buffer/batch-buffer.js';
import { Daemon } from '../src/daemon.js';
import { InventoryWatcher } from '../src/inventory-watcher.js';
import type { ActiveSampler } from '../src/sampler-set.js';
import type { SampleResult } from '../src/samplers/sampler.js';
import { memoryLog } from './helpers/memory-log.js';

// The sampling loop on a fake clock (vitest timers) with a real SQLite buffer.

let dir: string;
let buffer: BatchBuffer;

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000_250, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  dir = mkdtempSync(join(tmpdir(), 'hostpulse-daemon-'));
  buffer = BatchBuffer.open(join(dir, 'agent.db'), { limits: { maxBytes: 1e9, maxAgeMs: 1e15 }, log: silentLogger() });
});

afterEach(() => {
  vi.useRealTimers();
  buffer.close();
  rmSync(dir, { recursive: true, force: true });
});

function sampler(sample: () => Promise<SampleResult>): ActiveSampler {
  return { name: 'load', key: 'load', pending: undefined, sampler: { sample } };
}

function daemon(samplers: ActiveSampler[], extra: { samplerTimeoutMs?: number; log?: ReturnType<typeof silentLogger> } = {}) {
  let woken = 0;
  const d = new Daemon({
    intervalMs: 1000,
    labels: { env: 'test' },
    rootDir: '/',
    identity: { id: 'h1', idSource: 'config', name: 'web-1' },
    agentVersion: '0.1.0',
    samplers,
    buffer,
    onBatch: () => (woken += 1),
    log: extra.log ?? silentLogger(),
    inventorySource: new InventoryWatcher({ rootDir: '/', log: silentLogger() }),
    ...(extra.samplerTimeoutMs === undefined ? {} : { samplerTimeoutMs: extra.samplerTimeoutMs }),
  });
  return { d, woken: () => woken };
}

function storedBatches() {
  const out = [];
  for (let b = buffer.oldest(); b; b = buffer.oldest()) {
    out.push(BatchMessage.decode(b.payload));
    buffer.acknowledge(b.seq);
  }
  return out;
}

const load: SampleResult = { series: [{ metric: 'load_1m', labels: {}, value: 0.5 }], problems: [] };

describe('Daemon', () => {
  it('runs cycles at multiples of the interval, stamping every value with the cycle time', async () => {
    const { d, woken } = daemon([sampler(async () => load)]);
    d.start();
    await vi.advanceTimersByTimeAsync(2800);
    await d.stop({ final: false });

    const batches = storedBatches();
    expect(batches.map((b) => b.seq)).toEqual([1, 2, 3]);
    expect(woken()).toBe(3);
    for (const [i, batch] of batches.entries()) {
      const expected = 1_000_001_000 + i * 1000;
      expect(new Set(batch.series.flatMap((s) => s.timestampsMs))).toEqual(new Set([expected]));
    }
    const metrics = batches[0]!.series.map((s) => s.metric);
    expect(metrics).toEqual([
      'load_1m',
      'agent_buffer_batches',
      'agent_buffer_bytes',
      'agent_buffer_dropped_batches_total',
      'agent_cycle_seconds',
      'agent_resident_memory_bytes',
    ]);
    expect(batches[0]!.inventory?.cpuCount).toBeGreaterThan(0);
    expect(batches[1]!.inventory).toBeNull();
    expect(batches.every((b) => !b.stopping && b.intervalMs === 1000 && b.labels.env === 'test')).toBe(true);
  });

  it('skips and counts ticks that come while a cycle still runs, never overlapping', async () => {
    const { log, lines } = memoryLog();
    let calls = 0;
    const slow = sampler(() => {
      calls += 1;
      return new Promise((resolve) => setTimeout(() => resolve(load), 2500));
    });
    const { d } = daemon([slow], { samplerTimeoutMs: 5000, log });
    d.start();
    await vi.advanceTimersByTimeAsync(4500);
    // The cycle that began at 4000 still runs; the stop gives it a grace, then writes it.
    const stopped = d.stop({ final: false });
    await vi.advanceTimersByTimeAsync(3000);
    await stopped;

    expect(d.skippedCycles).toBe(2);
    expect(calls).toBe(2);
    expect(storedBatches().map((b) => b.series[0]?.timestampsMs?.[0])).toEqual([1_000_001_000, 1_000_004_000]);
    expect(lines.filter((l) => l.msg === 'cycle overran its interval; skipping ticks until it ends')).toHaveLength(1);
  });

  it('on a final stop writes a last batch marked stopping, running a short cycle when idle', async () => {
    const { d } = daemon([sampler(async () => load)]);
    d.start();
    await vi.advanceTimersByTimeAsync(1000);
    await d.stop({ final: true });
    const batches = storedBatches();
    expect(batches.map((b) => b.stopping)).toEqual([false, true]);
  });

  it('marks the cycle in flight as the stopping one instead of running another', async () => {
    const slow = sampler(() => new Promise((resolve) => setTimeout(() => resolve(load), 300)));
    const { d } = daemon([slow]);
    d.start();
    await vi.advanceTimersByTimeAsync(800);
    const stopped = d.stop({ final: true });
    await vi.advanceTimersByTimeAsync(500);
    await stopped;
    expect(storedBatches().map((b) => b.stopping)).toEqual([true]);
  });
});
