import { Type, type Static } from '@sinclair/typebox';
import { validate as isCronExpression } from 'node-cron';
import { Duration, Size, quote, type Loaded } from '@hostpulse/shared';

// The `backups:` section of agent.yaml (SPEC §3.2): one entry per backup to watch. The schema
// gives defaults and shapes; backupConfigProblems() adds the checks a schema cannot express.

const backupEntry = Type.Object({
  name: Type.String({ minLength: 1, description: 'the value of the `backup` label' }),
  path: Type.String({
    minLength: 1,
    pattern: '^/',
    description: 'an absolute path such as /var/backups/db/*.sql.gz',
  }),
  max_age: Type.Optional(Duration()),
  min_size: Type.Optional(Size()),
  verify: Type.Union([Type.Literal('none'), Type.Literal('gzip'), Type.Literal('sha256')], {
    default: 'none',
  }),
  verify_schedule: Type.String({ minLength: 1, default: '0 * * * *' }),
});

export const backupsConfig = Type.Array(backupEntry, {
  default: [],
  'x-hostpulse-unique': 'name',
});

export type BackupConfig = Loaded<Static<typeof backupEntry>>;

export interface BackupConfigProblem {
  /** Key path as agent.yaml writes it: `backups[0].verify_schedule`. */
  readonly path: string;
  readonly message: string;
}

const WILDCARD = /[*?]/;

/** Problems the schema cannot see: a bad cron expression, a wildcard in a folder name. */
export function backupConfigProblems(backups: readonly BackupConfig[]): BackupConfigProblem[] {
  const problems: BackupConfigProblem[] = [];
  backups.forEach((backup, i) => {
    const folder = backup.path.slice(0, backup.path.lastIndexOf('/'));
    // The folder is read as one directory stream; a wildcard there would mean walking a tree.
    if (WILDCARD.test(folder)) {
      const message = `${quote(backup.path)} has * or ? in a folder name; only the file name may`;
      problems.push({ path: `backups[${i}].path`, message });
    }
    if (backup.path.endsWith('/')) {
      const message = `${quote(backup.path)} names a folder; add the file pattern (e.g. /*.gz)`;
      problems.push({ path: `backups[${i}].path`, message });
    }
    if (!isCronExpression(backup.verifySchedule)) {
      const message =
        `${quote(backup.verifySchedule)} is not a cron expression ` +
        '(write e.g. "0 * * * *" for hourly, "30 4 * * *" for 04:30 daily)';
      problems.push({ path: `backups[${i}].verify_schedule`, message });
    }
  });
  return problems;
}
