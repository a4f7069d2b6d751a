// Writes a backlog into a buffer file, as an agent cut off from its collector would have: COUNT
// batches of realistic size (SERIES series each), one per INTERVAL_MS, the newest one interval
// ago. Run by the drain test and bench/agent-drain.mjs with the built agent (npx tsc -b first).
//   node write-backlog.mjs PATH COUNT INTERVAL_MS HOST_ID [SERIES]
import { silentLogger } from '@hostpulse/shared';
import { toNewBatch } from '../../dist/batch.js';
import { BatchBuffer } from '../../dist/buffer/batch-buffer.js';

const [path, count, intervalMs, hostId, seriesCount = '60'] = process.argv.slice(2);
if (!path || !count || !intervalMs || !hostId) {
  process.stderr.write('usage: write-backlog.mjs PATH COUNT INTERVAL_MS HOST_ID [SERIES]\n');
  process.exit(2);
}
const limits = { maxBytes: 1e12, maxAgeMs: 1e12 };
const buffer = BatchBuffer.open(path, { limits, log: silentLogger() });
const step = Number(intervalMs);
const newest = Math.floor(Date.now() / step) * step - step;
const first = newest - (Number(count) - 1) * step;
for (let i = 0; i < Number(count); i += 1) {
  const cycleMs = first + i * step;
  const values = Array.from({ length: Number(seriesCount) }, (_, s) => ({
    metric: s === 0 ? 'load_1m' : `backlog_metric_${s % 12}`,
    labels: s === 0 ? {} : { device: `dev${s}` },
    value: Math.sin(cycleMs / 60_000 + s) * 50 + 50,
  }));
  const batch = toNewBatch({
    identity: { id: hostId, idSource: 'config', name: 'backlog-host' },
    agentVersion: '0.1.0',
    labels: {},
    intervalMs: step,
    cycleMs,
    values,
    events: [],
    stopping: false,
  });
  buffer.append(batch);
}
const summary = { written: Number(count), firstMs: first, newestMs: newest };
process.stdout.write(`${JSON.stringify(summary)}\n`);
buffer.close();
