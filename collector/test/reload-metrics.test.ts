import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createConfiguredAlerting, reloadAlerting } from '../src/commands/alerting.js';
import { loadCollectorConfig } from '../src/config.js';
import { createCollectorMetrics } from '../src/self-metrics/collector-metrics.js';
import { openStorage } from '../src/storage/open-storage.js';
import { quietLog } from './alerting-stand-ins.js';

// hostpulse_notifications_total follows the notifiers through a SIGHUP reload: the ones the
// reload brings are counted like those of the start.

const dir = mkdtempSync(join(tmpdir(), 'hostpulse-reload-metrics-'));
const file = join(dir, 'collector.yaml');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeConfig(notifiers: string[]): void {
  const list = notifiers.map((n) => `  - { name: ${n}, type: webhook, url: http://127.0.0.1:9/x }`);
  writeFileSync(file, ['listen: 127.0.0.1:0', `data_dir: ${dir}`, 'notifiers:', ...list, ''].join('\n'));
}

const series = (text: string) =>
  text.split('\n').filter((l) => l.startsWith('hostpulse_notifications_total{')).sort();

describe('notification counts across a reload', () => {
  it('counts the notifiers a SIGHUP reload adds', async () => {
    writeConfig(['first']);
    const config = loadCollectorConfig(file, {});
    const storage = await openStorage({ databaseUrl: config.database.url, poolMax: 1, dataDir: dir, log: quietLog });
    await storage.migrate();
    const metrics = createCollectorMetrics('0.0.0-test');
    const alerting = createConfiguredAlerting(config, storage, quietLog, metrics);
    try {
      expect(series(await metrics.registry.render())).toHaveLength(4);
      writeConfig(['first', 'second']);
      expect(await reloadAlerting(alerting, file, quietLog)).toBe(true);
      const after = series(await metrics.registry.render());
      expect(after).toContain('hostpulse_notifications_total{notifier="second",outcome="sent"} 0');
      expect(after).toHaveLength(8);
    } finally {
      await alerting.stop();
      await storage.close();
    }
  });
});
