import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger, validateConfig } from '@hostpulse/shared';
import type { SamplerContext } from '../samplers/sampler.js';
import {
  backupRoot,
  badCrcGzip,
  gzipDump,
  HOUR_MS,
  sha256Line,
  truncatedGzip,
  type BackupRoot,
} from '../../test/fixtures/backup-folders.js';
import { seriesByKey } from '../../test/fixtures/snapshot-root.js';
import { appendFile, utimes } from 'node:fs/promises';
import { createBackupSampler, type BackupSampler } from './backup-source.js';
import { startScan, type ScanRequest } from './scan.js';
import { sampleAll } from '../cycle.js';
import { ProblemTracker } from '../problem-tracker.js';
import { FULL_SCAN_EVERY_MS } from './scan-cache.js';
import { backupsConfig, type BackupConfig } from './config.js';
import type { Scheduler } from './verifier.js';

// Each situation of the backup acceptance list, on a folder built under a temporary root
// (test/fixtures/backup-folders.ts), scanned and verified by the real code. Only the cron
// schedule is replaced: verifications are run by the test (verifier.test.ts covers the cron).

const NOW = Date.UTC(2026, 0, 10, 12);
const DIR = '/var/backups/db';

let root: BackupRoot;
let sampler: BackupSampler | undefined;

beforeEach(async () => {
  root = await backupRoot();
});

afterEach(async () => {
  sampler?.close();
  sampler = undefined;
  await root.remove();
});

const noSchedule: Scheduler = () => ({ stop: () => undefined });

function context(sourceTimeoutMs = 5000): SamplerContext {
  return { rootDir: root.rootDir, log: silentLogger(), now: () => NOW, sourceTimeoutMs };
}

function backups(...entries: object[]): BackupConfig[] {
  const { value, problems } = validateConfig(backupsConfig, entries);
  if (problems.length > 0) throw new Error(`bad test config: ${JSON.stringify(problems)}`);
  return value as BackupConfig[];
}

/** One cycle, then every verification, then the cycle whose figures the test reads. */
async function sampleVerified(entries: BackupConfig[]) {
  sampler = createBackupSampler(context(), entries, { scheduler: noSchedule });
  await sampler.sample(NOW);
  await sampler.verifyAll();
  const result = await sampler.sample(NOW);
  return { values: seriesByKey(result.series), problems: result.problems };
}

/** Three nightly dumps (02:00 of the last three days), the newest 10 hours old. */
async function writeNightlies(newest: Buffer, older: Buffer[] = [gzipDump(1000), gzipDump(1100)]) {
  const days = [...older, newest];
  for (const [i, content] of days.entries()) {
    const mtime = NOW - 10 * HOUR_MS - (days.length - 1 - i) * 24 * HOUR_MS;
    await root.write(`${DIR}/db-0${i + 1}.sql.gz`, content, mtime);
  }
}

describe('backups', () => {
  it('fresh: age, size, count, change against the median of earlier ones, verified', async () => {
    const newest = gzipDump(5000);
    const older = [gzipDump(1000), gzipDump(3000)];
    await writeNightlies(newest, older);
    await root.write(`${DIR}/notes.txt`, 'not a backup', NOW);
    const { values, problems } = await sampleVerified(
      backups({ name: 'db', path: `${DIR}/*.sql.gz`, max_age: '26h', verify: 'gzip' }),
    );
    const base = (older[0]!.length + older[1]!.length) / 2; // median of two: their mean
    expect(values).toEqual({
      'backup_files{backup=db}': 3,
      'backup_age_seconds{backup=db}': 10 * 3600,
      'backup_size_bytes{backup=db}': newest.length,
      'backup_size_change_percent{backup=db}': ((newest.length - base) / base) * 100,
      'backup_verified{backup=db}': 1,
    });
    expect(problems).toEqual([]);
  });

  it('stale: older than max_age is a problem naming the file and the limit', async () => {
    await root.write(`${DIR}/db.sql.gz`, gzipDump(100), NOW - 30 * HOUR_MS);
    const { values, problems } = await sampleVerified(
      backups({ name: 'db', path: `${DIR}/*.sql.gz`, max_age: '26h' }),
    );
    expect(values['backup_age_seconds{backup=db}']).toBe(30 * 3600);
    expect(values['backup_size_change_percent{backup=db}']).toBeUndefined(); // nothing earlier
    expect(problems).toEqual([
      {
        source: 'db:age',
        explains: { backup: 'db', metric: 'backup_age_seconds' },
        message:
          `the latest backup ${DIR}/db.sql.gz (modified 2026-01-09T06:00:00.000Z) ` +
          'is older than max_age 26h',
      },
    ]);
  });

  it('empty: a 0-byte latest file is a problem, and fails gzip verification', async () => {
    await writeNightlies(Buffer.alloc(0));
    const { values, problems } = await sampleVerified(
      backups({ name: 'db', path: `${DIR}/*.sql.gz`, verify: 'gzip' }),
    );
    expect(values['backup_size_bytes{backup=db}']).toBe(0);
    expect(values['backup_size_change_percent{backup=db}']).toBe(-100);
    expect(values['backup_verified{backup=db}']).toBe(0);
    expect(problems).toEqual([
      {
        source: 'db:size',
        explains: { backup: 'db', metric: 'backup_size_bytes' },
        message: `the latest backup ${DIR}/db-03.sql.gz is empty (0 bytes)`,
      },
      {
        source: 'db:verify',
        explains: { backup: 'db', metric: 'backup_verified' },
        message: `${DIR}/db-03.sql.gz: gzip verification failed: empty file (0 bytes)`,
      },
    ]);
  });

  it('min_size: a latest file under it is a problem', async () => {
    await root.write(`${DIR}/db.sql.gz`, gzipDump(100), NOW - HOUR_MS);
    const { problems } = await sampleVerified(
      backups({ name: 'db', path: `${DIR}/*.sql.gz`, min_size: '1MiB' }),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]?.source).toBe('db:size');
    expect(problems[0]?.message).toMatch(/db\.sql\.gz has \d+ bytes, under min_size 1MiB$/);
  });

  it.each([
    ['truncated gzip', truncatedGzip, 'truncated: the gzip stream ends before its trailer'],
    [
      'gzip with a bad CRC',
      badCrcGzip,
      'bad CRC: the data does not match the CRC-32 in the gzip trailer',
    ],
  ])('%s: backup_verified 0 and the reason as a problem', async (_situation, damage, reason) => {
    await writeNightlies(damage(gzipDump(20_000)));
    const { values, problems } = await sampleVerified(
      backups({ name: 'db', path: `${DIR}/*.sql.gz`, verify: 'gzip' }),
    );
    expect(values['backup_files{backup=db}']).toBe(3);
    expect(values['backup_verified{backup=db}']).toBe(0);
    expect(problems).toEqual([
      {
        source: 'db:verify',
        explains: { backup: 'db', metric: 'backup_verified' },
        message: `${DIR}/db-03.sql.gz: gzip verification failed: ${reason}`,
      },
    ]);
  });

  it('sha256: passes against FILE.sha256, which is not counted as a backup', async () => {
    const dump = gzipDump(2000);
    await root.write(`${DIR}/db.dump`, dump, NOW - HOUR_MS);
    await root.write(`${DIR}/db.dump.sha256`, sha256Line(dump, 'db.dump'), NOW - HOUR_MS + 1);
    const { values, problems } = await sampleVerified(
      backups({ name: 'db', path: `${DIR}/db.*`, verify: 'sha256' }),
    );
    expect(values['backup_files{backup=db}']).toBe(1);
    expect(values['backup_verified{backup=db}']).toBe(1);
    expect(problems).toEqual([]);
  });

  it('sha256 mismatch: backup_verified 0 and both digests in the reason', async () => {
    const dump = gzipDump(2000);
    await root.write(`${DIR}/db.dump`, dump, NOW - HOUR_MS);
    await root.write(`${DIR}/db.dump.sha256`, sha256Line('other content', 'db.dump'), NOW);
    const { values, problems } = await sampleVerified(
      backups({ name: 'db', path: `${DIR}/*.dump`, verify: 'sha256' }),
    );
    expect(values['backup_verified{backup=db}']).toBe(0);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toMatch(
      new RegExp(
        `^${DIR}/db\\.dump: sha256 verification failed: checksum mismatch: ` +
          "the file's sha256 is [0-9a-f]{12}…, db\\.dump\\.sha256 says [0-9a-f]{12}…$",
      ),
    );
  });

  it('future modification time: counted, the latest is the newest not in the future', async () => {
    await writeNightlies(gzipDump(300));
    await root.write(`${DIR}/db-99.sql.gz`, gzipDump(300), NOW + 48 * HOUR_MS);
    // Within the tolerance for a file server's clock: taken as written just now.
    const { values, problems } = await sampleVerified(
      backups({ name: 'db', path: `${DIR}/*.sql.gz`, max_age: '26h' }),
    );
    expect(values['backup_files{backup=db}']).toBe(4);
    expect(values['backup_age_seconds{backup=db}']).toBe(10 * 3600);
    expect(problems).toEqual([
      {
        source: 'db:future',
        message:
          `${DIR}/db-99.sql.gz is dated 2026-01-12T12:00:00.000Z, in the future: ` +
          'not taken as the latest backup',
      },
    ]);
  });

  it('a file a few seconds ahead of the clock is fresh, with age 0', async () => {
    await root.write(`${DIR}/db.sql.gz`, gzipDump(300), NOW + 5000);
    const { values, problems } = await sampleVerified(backups({ name: 'db', path: `${DIR}/*.gz` }));
    expect(values['backup_age_seconds{backup=db}']).toBe(0);
    expect(problems).toEqual([]);
  });

  it('only future-dated files: counted, no age, and the problem', async () => {
    await root.write(`${DIR}/db.sql.gz`, gzipDump(300), NOW + 24 * HOUR_MS);
    const { values, problems } = await sampleVerified(backups({ name: 'db', path: `${DIR}/*.gz` }));
    expect(values).toEqual({ 'backup_files{backup=db}': 1 });
    expect(problems.map((p) => p.source)).toEqual(['db:future']);
  });

  it('symlinked folder and symlinked files are followed', async () => {
    const dump = gzipDump(4000);
    await root.write('/srv/dumps/real.sql.gz', dump, NOW - 2 * HOUR_MS);
    await root.link(DIR, `${root.rootDir}/srv/dumps`); // the folder itself is a link
    await root.write('/srv/archive/old.sql.gz', gzipDump(1000), NOW - 26 * HOUR_MS);
    await root.link('/srv/dumps/old.sql.gz', '../archive/old.sql.gz'); // a link to a file
    const { values, problems } = await sampleVerified(
      backups({ name: 'db', path: `${DIR}/*.sql.gz`, verify: 'gzip' }),
    );
    expect(values['backup_files{backup=db}']).toBe(2);
    expect(values['backup_size_bytes{backup=db}']).toBe(dump.length);
    expect(values['backup_age_seconds{backup=db}']).toBe(2 * 3600);
    expect(values['backup_verified{backup=db}']).toBe(1);
    expect(problems).toEqual([]);
  });

  it('dangling link to a file: skipped and named, the rest still counted', async () => {
    await writeNightlies(gzipDump(500));
    await root.link(`${DIR}/db-04.sql.gz`, '/mnt/gone/db-04.sql.gz');
    const { values, problems } = await sampleVerified(backups({ name: 'db', path: `${DIR}/*.gz` }));
    expect(values['backup_files{backup=db}']).toBe(3);
    expect(problems).toEqual([
      {
        source: 'db:skipped',
        message: '1 match(es) skipped: db-04.sql.gz: dangling link to /mnt/gone/db-04.sql.gz',
      },
    ]);
  });

  it('dangling link as the folder: backup_files 0 and the link named', async () => {
    await root.link(DIR, '/mnt/unmounted/db');
    const { values, problems } = await sampleVerified(backups({ name: 'db', path: `${DIR}/*.gz` }));
    expect(values).toEqual({ 'backup_files{backup=db}': 0 });
    expect(problems).toEqual([
      { source: 'db', message: `folder ${DIR} is a dangling link to /mnt/unmounted/db` },
    ]);
  });

  it('a glob matching nothing: backup_files 0, no age, and a problem saying so', async () => {
    await root.write(`${DIR}/db.sql`, 'plain', NOW - HOUR_MS);
    const { values, problems } = await sampleVerified(
      backups({ name: 'db', path: `${DIR}/*.sql.gz`, verify: 'gzip' }),
    );
    expect(values).toEqual({ 'backup_files{backup=db}': 0 });
    expect(problems).toEqual([
      {
        source: 'db',
        explains: { backup: 'db', metric: 'backup_files' },
        message: `no file matches ${DIR}/*.sql.gz`,
      },
    ]);
  });

  it('a missing folder: backup_files 0 and the folder named', async () => {
    const { values, problems } = await sampleVerified(backups({ name: 'db', path: `${DIR}/*` }));
    expect(values).toEqual({ 'backup_files{backup=db}': 0 });
    expect(problems).toEqual([{ source: 'db', message: `folder ${DIR} does not exist` }]);
  });

  it('hidden files do not match a pattern that does not start with a dot', async () => {
    await root.write(`${DIR}/.db.sql.gz.partial`, 'in progress', NOW);
    await root.write(`${DIR}/db.sql.gz`, gzipDump(100), NOW - HOUR_MS);
    const { values } = await sampleVerified(backups({ name: 'db', path: `${DIR}/*` }));
    expect(values['backup_files{backup=db}']).toBe(1);
  });

  it('keeps the last verification between cycles, absent before the first', async () => {
    await writeNightlies(gzipDump(800));
    const answers = [{ ok: true as const }, { ok: false as const, reason: 'bad CRC: test' }];
    const calls: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const gzip = async (path: string) => {
      calls.push(path);
      await gate;
      return answers[calls.length - 1] ?? answers[1]!;
    };
    sampler = createBackupSampler(
      context(),
      backups({ name: 'db', path: `${DIR}/*.gz`, verify: 'gzip' }),
      { scheduler: noSchedule, verifiers: { gzip, sha256: never } },
    );
    // The first scan starts the first verification; until it ends there is no result.
    const verified = async (at: number) => seriesByKey((await sampler!.sample(at)).series);
    expect((await verified(NOW))['backup_verified{backup=db}']).toBeUndefined();
    expect(calls).toEqual([`${root.rootDir}${DIR}/db-03.sql.gz`]);
    release();
    await sampler.verifyAll(); // waits for the run in flight rather than starting another
    expect(calls).toHaveLength(1);
    for (const at of [NOW + 10_000, NOW + 20_000]) {
      expect((await verified(at))['backup_verified{backup=db}']).toBe(1);
    }
    await sampler.verifyAll();
    expect((await verified(NOW + 30_000))['backup_verified{backup=db}']).toBe(0);
    expect(calls).toHaveLength(2);
  });

  it('a scan that outlasts its cycle goes on, and a later cycle uses its figures', async () => {
    await writeNightlies(gzipDump(100));
    let scans = 0;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    sampler = createBackupSampler(context(50), backups({ name: 'db', path: `${DIR}/*.gz` }), {
      scheduler: noSchedule,
      scan: (request) => {
        scans += 1;
        const real = startScan(request);
        return { done: gate.then(() => real.done), stop: real.stop };
      },
    });
    const still =
      `the scan of ${DIR} started 2026-01-10T12:00:00.000Z has not finished ` +
      '(over 50 ms; a very large folder, or a hung filesystem); its figures follow when it does';
    const first = await sampler.sample(NOW);
    expect(first).toEqual({ series: [], problems: [{ source: 'db', message: still }] });
    // Still running: the same message (one event), and no second scan.
    const second = await sampler.sample(NOW + 10_000);
    expect(second.problems).toEqual([{ source: 'db', message: still }]);
    expect(scans).toBe(1);
    release();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const done = await sampler.sample(NOW + 20_000);
    expect(done.problems).toEqual([]);
    expect(seriesByKey(done.series)['backup_files{backup=db}']).toBe(3);
    expect(scans).toBe(1);
  });

  it('the real scan, given no time, reports it and gives its figures next cycle', async () => {
    await writeNightlies(gzipDump(100));
    sampler = createBackupSampler(context(0), backups({ name: 'db', path: `${DIR}/*.gz` }));
    const first = await sampler.sample(NOW);
    expect(first.problems[0]?.message).toMatch(/^the scan of .* has not finished \(over 0 ms;/);
    let values: Record<string, number> = {};
    for (let cycle = 1; cycle <= 50 && values['backup_files{backup=db}'] === undefined; cycle++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      values = seriesByKey((await sampler.sample(NOW + cycle * 10_000)).series);
    }
    expect(values['backup_files{backup=db}']).toBe(3);
  });

  it('scans again only when the folder or a kept file changed, or after a while', async () => {
    await writeNightlies(gzipDump(500));
    // The folder's own time, settled well before the first scan (scan-cache.ts).
    const folderTime = (NOW - HOUR_MS) / 1000;
    await utimes(`${root.rootDir}${DIR}`, folderTime, folderTime);
    const scanned: number[] = [];
    const scan = (request: ScanRequest) => {
      scanned.push(request.futureAfterMs);
      return startScan(request);
    };
    const clock = { nowMs: NOW };
    const ctx = { ...context(), now: () => clock.nowMs };
    sampler = createBackupSampler(ctx, backups({ name: 'db', path: `${DIR}/*.gz` }), {
      scheduler: noSchedule,
      scan,
    });
    const at = async (ms: number) => {
      clock.nowMs = ms;
      return seriesByKey((await sampler!.sample(ms)).series);
    };
    await at(NOW);
    expect((await at(NOW + 10_000))['backup_age_seconds{backup=db}']).toBe(10 * 3600 + 10);
    expect(scanned).toHaveLength(1); // unchanged: the first scan's figures, ages moved on

    await appendFile(`${root.rootDir}${DIR}/db-03.sql.gz`, 'more'); // the latest grows
    await utimes(`${root.rootDir}${DIR}`, folderTime, folderTime);
    const grown = await at(NOW + 20_000);
    expect(scanned).toHaveLength(2);
    expect(grown['backup_files{backup=db}']).toBe(3);

    await root.write(`${DIR}/db-04.sql.gz`, gzipDump(600), NOW - HOUR_MS); // a new entry
    // The folder's time changes with the entry; set to a time before this test's clock.
    await utimes(`${root.rootDir}${DIR}`, folderTime + 1, folderTime + 1);
    expect((await at(NOW + 30_000))['backup_files{backup=db}']).toBe(4);
    expect(scanned).toHaveLength(3);

    await at(NOW + 40_000);
    expect(scanned).toHaveLength(3);
    await at(NOW + 30_000 + FULL_SCAN_EVERY_MS);
    expect(scanned).toHaveLength(4);
  });

  it('a failed verification reaches the collector as an event with its reason', async () => {
    await writeNightlies(truncatedGzip(gzipDump(5000)));
    sampler = createBackupSampler(
      context(),
      backups({ name: 'db', path: `${DIR}/*.gz`, verify: 'gzip' }),
      { scheduler: noSchedule },
    );
    const active = [{ name: 'backups', key: 'backups', sampler, pending: undefined }];
    const tracker = new ProblemTracker(silentLogger());
    await sampleAll(active, NOW, { timeoutMs: 5000 });
    await sampler.verifyAll();
    const failed = await sampleAll(active, NOW + 10_000, { timeoutMs: 5000 });
    expect(tracker.update(failed.problems, NOW + 10_000)).toEqual([
      {
        timeMs: NOW + 10_000,
        kind: 'sampler_problem',
        labels: {
          ...{ backup: 'db', metric: 'backup_verified' },
          ...{ sampler: 'backups', source: 'db:verify' },
        },
        message:
          `${DIR}/db-03.sql.gz: gzip verification failed: ` +
          'truncated: the gzip stream ends before its trailer',
      },
    ]);
    // The same failure next cycle is no new event.
    const again = await sampleAll(active, NOW + 20_000, { timeoutMs: 5000 });
    expect(tracker.update(again.problems, NOW + 20_000)).toEqual([]);
  });

  it('every metric it sends is documented in docs/metrics.md', async () => {
    const docs = await readFile(new URL('../../../docs/metrics.md', import.meta.url), 'utf8');
    for (const metric of ['backup_files', 'backup_age_seconds', 'backup_size_bytes',
      'backup_size_change_percent', 'backup_verified']) {
      expect(docs).toContain(`| \`${metric}\``);
    }
  });
});

const never = () => new Promise<never>(() => undefined);
