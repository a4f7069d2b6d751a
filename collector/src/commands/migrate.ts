import { printLine, type Logger } from '@hostpulse/shared';
import type { CollectorConfig } from '../config.js';
import { withStorage } from './storage.js';

/** `hostpulse-collector migrate`: applies pending migrations, one line each with its duration. */
export async function runMigrate(config: CollectorConfig, log: Logger): Promise<number> {
  let applied = 0;
  await withStorage(config, log, (storage) =>
    storage.migrate((name, durationMs) => {
      applied += 1;
      printLine(`applied ${name} in ${Math.round(durationMs)} ms`);
    }),
    'any',
  );
  printLine(applied > 0 ? `${applied} migration(s) applied` : 'the database schema is up to date');
  return 0;
}
