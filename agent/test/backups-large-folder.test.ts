import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@hostpulse/shared';
import { loadAgentSettings } from '../src/config.js';
import { sampleAll } from '../src/cycle.js';
import { closeSamplers, createSamplerSet, type ActiveSampler } from '../src/sampler-set.js';
import { samplers } from '../src/samplers/index.js';
import { seriesByKey } from './fixtures/snapshot-root.js';

// A backup folder of 200,000 files, generated here in a temporary directory (never checked in),
// sampled through the daemon's own path (config → sampler set → cycle with its timeouts). It
// shows that such a folder gives the right figures within one cycle and that the agent's heap
// stays flat while it is scanned. Time and memory are printed, never asserted on time.

const FILES = 200_000;

let dir: string;
let set: ActiveSampler[];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hostpulse-large-backups-'));
  const folder = join(dir, 'var/backups/many');
  mkdirSync(folder, { recursive: true });
  // Written in name order, so modification times grow with the name (files written within one
  // clock tick share a time, and the later name then counts as newer). All are empty but the
  // last eight, which hold 1 to 8 bytes: no data block for the others keeps this to metadata.
  for (let i = 0; i < FILES; i += 1) {
    const bytes = Math.max(0, i - (FILES - 9));
    writeFileSync(join(folder, `dump-${String(i).padStart(6, '0')}.gz`), 'x'.repeat(bytes));
  }
  // The folder last changed a minute ago, so the next cycles may reuse the scan (scan-cache.ts).
  const minuteAgo = (Date.now() - 60_000) / 1000;
  utimesSync(folder, minuteAgo, minuteAgo);
  const yaml = [
    'collector: { url: "http://127.0.0.1:9" }',
    'interval: 10s',
    `root: ${dir}`,
    'samplers:',
    ...samplers.map(({ name }) => name).map(
      (name) => `  ${name}: { enabled: false }`,
    ),
    'backups:',
    '  - { name: many, path: /var/backups/many/dump-*.gz, max_age: 26h }',
    '',
  ].join('\n');
  const file = join(dir, 'agent.yaml');
  writeFileSync(file, yaml);
  const { config } = loadAgentSettings(file, {});
  set = createSamplerSet({ config, log: silentLogger() });
}, 300_000);

afterAll(() => {
  if (set) closeSamplers(set);
  rmSync(dir, { recursive: true, force: true });
}, 300_000);

describe('a backup folder of 200,000 files', () => {
  it('is counted within one cycle, with the newest file and a flat heap', async () => {
    const rssBefore = process.memoryUsage().rss;
    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    let rssPeak = rssBefore;
    const probe = setInterval(() => {
      const { heapUsed, rss } = process.memoryUsage();
      heapPeak = Math.max(heapPeak, heapUsed);
      rssPeak = Math.max(rssPeak, rss);
    }, 5);
    const nowMs = Date.now();
    const started = performance.now();
    // The daemon's timeouts for a 10 s interval: 80 % of it for the cycle, 70 % for a backup scan.
    const result = await sampleAll(set, nowMs, { timeoutMs: 8000 });
    const cycleMs = performance.now() - started;
    clearInterval(probe);

    const values = seriesByKey(result.values);
    expect(result.problems).toEqual([]);
    expect(values['backup_files{backup=many}']).toBe(FILES);
    // Written by beforeAll just now, so a few seconds old at most.
    expect(values['backup_age_seconds{backup=many}']).toBeLessThan(600);
    expect(values['backup_size_bytes{backup=many}']).toBe(8);
    // The 7 before the newest hold 7, 6, …, 1 bytes: median 4; (8 - 4) / 4 = +100 %.
    expect(values['backup_size_change_percent{backup=many}']).toBe(100);
    // Flat: the peak is the garbage of the batches in flight, bounded by V8's young generation,
    // not by the folder (the FileSummary keeps 8 files; file-summary.test.ts).
    expect(heapPeak - heapBefore).toBeLessThan(32 * 1024 * 1024);

    // The next cycle, folder unchanged: the same figures from the kept scan, no new scan.
    const nextStarted = performance.now();
    const next = await sampleAll(set, Date.now(), { timeoutMs: 8000 });
    const nextCycleMs = performance.now() - nextStarted;
    expect(next.problems).toEqual([]);
    expect(seriesByKey(next.values)['backup_files{backup=many}']).toBe(FILES);

    const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
    process.stdout.write(
      `backup scan of ${FILES} files: cycle ${cycleMs.toFixed(0)} ms, ` +
        `heap +${mb(heapPeak - heapBefore)} MiB at peak (${mb(heapBefore)} before), ` +
        `RSS +${mb(rssPeak - rssBefore)} MiB at peak (${mb(rssBefore)} before); ` +
        `next cycle, folder unchanged: ${nextCycleMs.toFixed(1)} ms\n`,
    );
  });
});
