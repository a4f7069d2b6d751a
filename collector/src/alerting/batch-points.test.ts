import { describe, expect, it } from 'vitest';
import { checkMessages, reasonKey } from './batch-points.js';

// Which event explains which series: a check's by its `check` label, a backup's by its backup
// and the metric the agent said the problem explains (agent/src/backups/figures.ts).

const event = (timeMs: number, labels: Record<string, string>, message: string) => ({
  timeMs,
  kind: 'x',
  labels,
  message,
});

describe('check and backup reasons', () => {
  it('keeps the newest message per check and per backup metric', () => {
    const found = checkMessages([
      event(1, { check: 'api', type: 'http' }, 'status 500'),
      event(2, { check: 'api', type: 'http' }, 'status 503'),
      event(1, { backup: 'db', metric: 'backup_verified', sampler: 'backups' }, 'bad CRC'),
      event(1, { backup: 'db', metric: 'backup_age_seconds', sampler: 'backups' }, 'too old'),
      event(1, { sampler: 'filesystem', source: '/mnt' }, 'stalled'),
    ]);
    const api = reasonKey({ check: 'api' }, 'check_up') as string;
    expect(found.get(api)?.message).toBe('status 503');
    const verified = reasonKey({ backup: 'db' }, 'backup_verified') as string;
    expect(found.get(verified)?.message).toBe('bad CRC');
    const age = reasonKey({ backup: 'db' }, 'backup_age_seconds') as string;
    expect(found.get(age)?.message).toBe('too old');
    expect(found.size).toBe(3);
  });

  it('has no key for a series that neither a check nor a backup explains', () => {
    expect(reasonKey({ mount: '/' }, 'filesystem_used_percent')).toBeUndefined();
  });
});
