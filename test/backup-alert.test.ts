import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../collector/test/helpers/pg.js';
import { agentYamlWithoutSamplers, told } from './helpers/e2e.js';
import { tempDir, waitFor } from './helpers/processes.js';
import { prepareStack, type Stack } from './helpers/stack.js';
import { startSlackStandIn, type SlackStandIn } from './helpers/stand-ins.js';

// SPEC §3.3 backups across the wire: a real agent watching two temp folders, one whose newest
// dump is two hours old (max_age 1h) and one whose newest dump is a broken gzip (verify: gzip);
// a real collector's rules on backup_age_seconds and backup_verified fire on Slack.

describe('backup stale or broken → alert', () => {
  const dir = tempDir('backup-alert');
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let slack: SlackStandIn;
  let stack: Stack;

  beforeAll(async () => {
    db = await createTestDatabase();
    slack = await startSlackStandIn();
    const stale = join(dir.path, 'stale');
    const broken = join(dir.path, 'broken');
    mkdirSync(stale);
    mkdirSync(broken);
    const hoursAgo = (h: number) => (Date.now() - h * 3_600_000) / 1000;
    for (const [name, h] of [['db-1.sql.gz', 3], ['db-2.sql.gz', 2]] as const) {
      writeFileSync(join(stale, name), gzipSync('SELECT 1;\n'));
      utimesSync(join(stale, name), hoursAgo(h), hoursAgo(h));
    }
    const whole = gzipSync(Buffer.alloc(64 * 1024, 'INSERT INTO t VALUES (1);\n'));
    writeFileSync(join(broken, 'app-1.sql.gz'), whole);
    utimesSync(join(broken, 'app-1.sql.gz'), hoursAgo(1), hoursAgo(1));
    // Cut short and with its middle overwritten: gunzip fails on it.
    const cut = Buffer.from(whole.subarray(0, Math.floor(whole.length / 2)));
    cut.fill(0x41, 20, 60);
    writeFileSync(join(broken, 'app-2.sql.gz'), cut);

    const backups = [
      'backups:',
      `  - { name: stale-db, path: "${stale}/*.sql.gz", max_age: 1h }`,
      `  - { name: broken-app, path: "${broken}/*.sql.gz", max_age: 26h, verify: gzip }`,
      '',
    ].join('\n');
    stack = await prepareStack(dir.path, db.url, {
      intervalS: 1,
      agentYaml: agentYamlWithoutSamplers(backups),
      collectorYaml: `notifiers:
  - { name: ops-slack, type: slack, webhook_url: "${slack.url}" }
rules:
  - name: backup-stale
    metric: backup_age_seconds
    thresholds: [{ severity: high, above: 3600 }]
    notify: [ops-slack]
  - name: backup-unverified
    metric: backup_verified
    thresholds: [{ severity: high, below: 1 }]
    notify: [ops-slack]
`,
    });
  });

  afterAll(async () => {
    await stack?.stopAll();
    await slack?.close();
    await db?.drop();
    dir.remove();
  });

  it('fires backup-stale (a new dump resolves it) and backup-unverified with why', async () => {
    await stack.startCollector();
    stack.startAgent();

    await waitFor('the backup-stale alert', () =>
      told(slack, /backup-stale/, /backup=stale-db/) || undefined, 30_000);
    await waitFor('the backup-unverified alert', () =>
      told(slack, /backup-unverified/, /backup=broken-app/) || undefined, 30_000);
    expect(told(slack, /backup-stale/, /backup=broken-app/)).toBe(false);
    expect(told(slack, /backup-unverified/, /backup=stale-db/)).toBe(false);
    // The reason travels as the agent's problem event; the alert quotes it.
    await waitFor('the gzip reason in the unverified alert', () =>
      told(slack, /backup-unverified/, /app-2\.sql\.gz/, /gzip verification failed/) || undefined,
    10_000);
    await waitFor('the age reason in the stale alert', () =>
      told(slack, /backup-stale/, /older than max_age/) || undefined, 10_000);

    // Tonight's dump arrives: the stale alert resolves.
    writeFileSync(join(dir.path, 'stale', 'db-3.sql.gz'), gzipSync('SELECT 1;\n'));
    await waitFor('the backup-stale resolution', () =>
      told(slack, /resolved/i, /backup-stale/, /backup=stale-db/) || undefined, 20_000);
  }, 60_000);
});
