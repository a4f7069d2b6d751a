import { printJson, printLine, redactSecrets } from '@hostpulse/shared';
import type { CollectorConfig } from '../config.js';

/** `--check-config`: the configuration is valid (else main already printed why); show it. */
export function runCheckConfig(config: CollectorConfig, configFile: string): number {
  printLine(`${configFile}: configuration is valid; effective configuration (secrets redacted):`);
  printJson(redactSecrets(config));
  return 0;
}
