import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '@hostpulse/shared';
import { BackupVerifier, cronScheduler } from './verifier.js';

// The real node-cron, on a schedule of every second (six fields: seconds first), with a
// verification that takes longer than that: runs must not overlap.

describe('BackupVerifier on node-cron', () => {
  it('verifies on its schedule, never two runs at once', async () => {
    let running = 0;
    let most = 0;
    let runs = 0;
    const verify = async () => {
      running += 1;
      runs += 1;
      most = Math.max(most, running);
      await sleep(1500);
      running -= 1;
      return { ok: false as const, reason: 'truncated: test' };
    };
    const verifier = new BackupVerifier({
      schedule: '* * * * * *',
      verify,
      log: silentLogger(),
      now: Date.now,
      scheduler: cronScheduler(silentLogger()),
    });
    verifier.setTarget({ path: '/tmp/none', file: '/var/backups/db.sql.gz' }); // runs at once
    await sleep(3200);
    verifier.stop();
    expect(most).toBe(1);
    // The first run at once, then one per free second: 3.2 s of 1.5 s runs allow 2 or 3.
    expect(runs).toBeGreaterThanOrEqual(2);
    expect(runs).toBeLessThanOrEqual(3);
    expect(verifier.result).toMatchObject({ file: '/var/backups/db.sql.gz', ok: false });
    const after = runs;
    await sleep(1200);
    expect(runs).toBe(after); // stopped
  });

  it('does nothing before a scan has found a file', async () => {
    let runs = 0;
    const verifier = new BackupVerifier({
      schedule: '0 * * * *',
      verify: async () => {
        runs += 1;
        return { ok: true };
      },
      log: silentLogger(),
      now: Date.now,
      scheduler: () => ({ stop: () => undefined }),
    });
    await verifier.runNow();
    expect(runs).toBe(0);
    expect(verifier.result).toBeUndefined();
  });
});
