import type { Problem } from '@hostpulse/shared';

/**
 * A notifier's secret comes inline (`key:`) or from a file (`key_file:`): exactly one of them.
 * Returns the problem when both or neither are written.
 */
export function oneSecretSource(value: unknown, file: unknown, at: string, key: string): Problem[] {
  if ((value === undefined) !== (file === undefined)) return [];
  return [{ path: at, message: `needs exactly one of ${key}: or ${key}_file:` }];
}
