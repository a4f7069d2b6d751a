// `npm run bench`: every benchmark with its default (short) settings, one after the other.
// Each prints its own figures; none passes or fails on time.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

for (const bench of ['agent-footprint.mjs', 'agent-drain.mjs', 'ingest.mjs']) {
  console.log(`\n### ${bench}`);
  const result = spawnSync(process.execPath, [join(import.meta.dirname, bench), ...process.argv.slice(2)], { stdio: 'inherit' });
  if (result.status !== 0) process.exitCode = 1;
}
