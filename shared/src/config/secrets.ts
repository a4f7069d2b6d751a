import { readFileSync } from 'node:fs';
import { HostpulseError } from '../errors.js';

// Secrets (tokens, webhook URLs, SMTP URLs) are given inline, as a file, or in an environment
// variable. Files are read at load so a missing one is a config error at start, not at 3 a.m.

export interface SecretSource {
  readonly value?: string | undefined;
  readonly file?: string | undefined;
  readonly env?: string | undefined;
}

export function readSecret(source: SecretSource, what: string): string | undefined {
  if (source.value !== undefined && source.value !== '') return source.value;
  if (source.file !== undefined) {
    try {
      return readFileSync(source.file, 'utf8').trim();
    } catch (err) {
      throw new HostpulseError('config_invalid', `${what}: cannot read ${source.file} (${(err as Error).message})`, {}, {
        cause: err,
      });
    }
  }
  if (source.env !== undefined) {
    const fromEnv = process.env[source.env];
    if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  }
  return undefined;
}

/** A copy of a loaded config with every secret-looking value replaced, for --check-config. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, isSecretKey(key) && typeof item === 'string' ? '[redacted]' : redactSecrets(item)]),
    );
  }
  if (typeof value === 'string' && /^[a-z]+:\/\/[^/]*:[^@/]*@/i.test(value)) {
    return value.replace(/\/\/[^/]*@/, '//***@');
  }
  return value;
}

function isSecretKey(key: string): boolean {
  return /token$|password|secret|webhookUrl$|smtpUrl$/i.test(key) && !/File$/.test(key);
}
