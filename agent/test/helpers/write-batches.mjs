// Run as a child process by buffer.test.ts: appends batches to a buffer file, says so on stdout
// after each commit, then waits to be killed (SIGKILL), as an agent dying mid-run would.
import { BatchBuffer } from '../../dist/buffer/batch-buffer.js';
import { silentLogger } from '@hostpulse/shared';

const [path, count] = process.argv.slice(2);
const buffer = BatchBuffer.open(path, { limits: { maxBytes: 1e9, maxAgeMs: 1e12 }, log: silentLogger() });
for (let i = 0; i < Number(count); i++) {
  const seq = buffer.append({ createdMs: Date.now(), samples: 1, encode: (s) => new TextEncoder().encode(`batch ${s}`) });
  process.stdout.write(`committed ${seq}\n`);
}
setInterval(() => undefined, 1000);
