// `npm run bench`: every benchmark in this folder with its default settings, one after the
// other. Each prints its own figures; none passes or fails on time.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const HELPERS = new Set(['lib.mjs', 'run.mjs']);
const benches = readdirSync(import.meta.dirname)
  .filter((name) => name.endsWith('.mjs') && !HELPERS.has(name))
  .sort();

for (const bench of benches) {
  console.log(`\n### ${bench}`);
  const args = [join(import.meta.dirname, bench), ...process.argv.slice(2)];
  const result = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (result.status !== 0) process.exitCode = 1;
}
