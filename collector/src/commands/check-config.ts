import { printError, printJson, printLine, redactSecrets } from '@hostpulse/shared';
import type { CollectorConfig } from '../config.js';
import { notifierSecretProblems, type NotifierConfig } from '../notifiers/index.js';

const EXIT_CONFIG = 2;

/**
 * `--check-config`: the configuration is valid (else main already printed why). Notifier secret
 * files are read too, as serve reads them, so a check that passes means serve will start; then
 * the effective configuration is shown with its secrets redacted.
 */
export function runCheckConfig(config: CollectorConfig, configFile: string): number {
  const problems = notifierSecretProblems(config.notifiers as readonly NotifierConfig[]);
  if (problems.length > 0) {
    for (const line of problems) printError(line);
    return EXIT_CONFIG;
  }
  printLine(`${configFile}: configuration is valid; effective configuration (secrets redacted):`);
  printJson(redactSecrets(config));
  return 0;
}
