import { describe, expect, it } from 'vitest';
import { validateConfig } from '@hostpulse/shared';
import { backupConfigProblems, backupsConfig, type BackupConfig } from './config.js';

function load(entries: unknown) {
  const { value, problems } = validateConfig(backupsConfig, entries);
  return { backups: value as BackupConfig[], problems };
}

describe('backups config', () => {
  it('fills defaults and converts max_age and min_size', () => {
    const { backups, problems } = load([
      { name: 'pg', path: '/var/backups/pg/*.sql.gz', max_age: '26h', min_size: '1MiB' },
    ]);
    expect(problems).toEqual([]);
    expect(backups).toEqual([
      {
        name: 'pg',
        path: '/var/backups/pg/*.sql.gz',
        maxAgeMs: 26 * 3_600_000,
        minSizeBytes: 1024 * 1024,
        verify: 'none',
        verifySchedule: '0 * * * *',
      },
    ]);
    expect(backupConfigProblems(backups)).toEqual([]);
  });

  it('reports schema problems with the key path and the quoted value', () => {
    const { problems } = load([
      { name: 'pg', path: 'backups/*.gz', verify: 'md5', max_age: '26 hours', keep: 3 },
      { name: 'pg', path: '/b/*.gz' },
    ]);
    expect(problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      '[0].keep: unknown key ' +
        '(known keys here: name, path, max_age, min_size, verify, verify_schedule)',
      '[0].path: "backups/*.gz" is not valid (an absolute path such as /var/backups/db/*.sql.gz)',
      '[0].max_age: "26 hours" is not a duration (write 500ms, 10s, 90m, 26h or 7d)',
      '[0].verify: "md5" is not one of none, gzip, sha256',
      '[1].name: "pg" is used twice',
    ]);
  });

  it('refuses a bad cron expression and a wildcard in a folder name', () => {
    const { backups } = load([
      { name: 'a', path: '/var/backups/*/db.gz', verify: 'gzip', verify_schedule: '61 * * * *' },
      { name: 'b', path: '/var/backups/' },
    ]);
    expect(backupConfigProblems(backups)).toEqual([
      {
        path: 'backups[0].path',
        message: '"/var/backups/*/db.gz" has * or ? in a folder name; only the file name may',
      },
      {
        path: 'backups[0].verify_schedule',
        message:
          '"61 * * * *" is not a cron expression ' +
          '(write e.g. "0 * * * *" for hourly, "30 4 * * *" for 04:30 daily)',
      },
      {
        path: 'backups[1].path',
        message: '"/var/backups/" names a folder; add the file pattern (e.g. /*.gz)',
      },
    ]);
  });
});
