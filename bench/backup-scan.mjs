// Backup folder scan: time, heap and resident memory of one cycle of the agent's `backups`
// source on a generated folder, then of the next cycle with the folder unchanged (the kept
// scan is reused). Peer: `find DIR -name 'dump-*' -printf '%T@ %s\n' | sort -n | tail -8`,
// which does the same listing and stat work in one C process.
//   node bench/backup-scan.mjs [--files 200000] [--runs 3] [--dir /tmp]
// Build first. The folder is generated in a temporary directory under --dir and removed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { arg, median, repo } from './lib.mjs';

const files = Number(arg('files', '200000'));
const runs = Number(arg('runs', '3'));
const base = arg('dir', tmpdir());
const { createBackupSampler } = await import(
  pathToFileURL(join(repo, 'agent/dist/backups/backup-source.js')).href
);
const { validateConfig, silentLogger } = await import('@hostpulse/shared');
const { backupsConfig } = await import(
  pathToFileURL(join(repo, 'agent/dist/backups/config.js')).href
);

const dir = mkdtempSync(join(base, 'hostpulse-bench-backups-'));
const folder = join(dir, 'var/backups/many');
mkdirSync(folder, { recursive: true });
const made = performance.now();
for (let i = 0; i < files; i += 1) {
  const bytes = Math.max(0, i - (files - 9));
  writeFileSync(join(folder, `dump-${String(i).padStart(7, '0')}.gz`), 'x'.repeat(bytes));
}
const minuteAgo = (Date.now() - 60_000) / 1000;
utimesSync(folder, minuteAgo, minuteAgo);
console.log(`${files} files generated in ${((performance.now() - made) / 1000).toFixed(1)} s`);

const { value: backups } = validateConfig(backupsConfig, [
  { name: 'many', path: '/var/backups/many/dump-*.gz' },
]);
const ctx = { rootDir: dir, log: silentLogger(), now: Date.now, sourceTimeoutMs: 600_000 };
const mib = (bytes) => (bytes / 1024 / 1024).toFixed(1);

const first = [];
const next = [];
const heap = [];
const rss = [];
const peer = [];
try {
  for (let run = 0; run < runs; run += 1) {
    const sampler = createBackupSampler(ctx, backups);
    const before = process.memoryUsage();
    let heapPeak = before.heapUsed;
    let rssPeak = before.rss;
    const probe = setInterval(() => {
      const now = process.memoryUsage();
      heapPeak = Math.max(heapPeak, now.heapUsed);
      rssPeak = Math.max(rssPeak, now.rss);
    }, 5);
    let started = performance.now();
    const result = await sampler.sample(Date.now());
    first.push(performance.now() - started);
    clearInterval(probe);
    heap.push(heapPeak - before.heapUsed);
    rss.push(rssPeak - before.rss);
    const count = result.series.find((s) => s.metric === 'backup_files')?.value;
    if (count !== files) throw new Error(`counted ${count} files: ${JSON.stringify(result)}`);
    started = performance.now();
    await sampler.sample(Date.now());
    next.push(performance.now() - started);
    sampler.close();

    started = performance.now();
    const find = `find ${folder} -name 'dump-*' -printf '%T@ %s\\n' | sort -n | tail -8`;
    spawnSync('sh', ['-c', find], { stdio: 'ignore' });
    peer.push(performance.now() - started);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log(`median of ${runs} runs, ${files} files:`);
console.log(`  first cycle (full scan)     ${median(first).toFixed(0)} ms`);
console.log(`  next cycle (folder same)    ${median(next).toFixed(1)} ms`);
console.log(`  heap growth at peak         ${mib(median(heap))} MiB`);
console.log(`  resident growth at peak     ${mib(median(rss))} MiB (the worker thread's own heap)`);
console.log(`  peer: find | sort | tail    ${median(peer).toFixed(0)} ms`);
