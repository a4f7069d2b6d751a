import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseDocument } from 'yaml';
import type { Static, TSchema } from '@sinclair/typebox';
import { HostpulseError } from '../errors.js';
import { validateConfig, type Problem } from './validate.js';
import type { Loaded } from './types.js';

/**
 * Reads and validates a YAML config file. On any problem it throws one `config_invalid` error
 * whose `details.problems` holds every problem found, each printed as `file: key.path: what`.
 */
export function loadConfigFile<S extends TSchema>(schema: S, file: string): Loaded<Static<S>> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
    throw new HostpulseError('config_invalid', `${file}: ${reason} (${(err as Error).message})`, {
      problems: [`${file}: ${reason}`],
    }, { cause: err });
  }
  return parseConfigText(schema, text, file);
}

export function parseConfigText<S extends TSchema>(schema: S, text: string, file: string): Loaded<Static<S>> {
  const name = basename(file);
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => `${name}: line ${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0]}`);
    throw new HostpulseError('config_invalid', problems.join('\n'), { problems });
  }
  const raw: unknown = doc.toJS() ?? {};
  const { value, problems } = validateConfig(schema, raw);
  if (problems.length > 0) {
    const lines = problems.map((p: Problem) => `${name}: ${p.path || '(top level)'}: ${p.message}`);
    throw new HostpulseError('config_invalid', lines.join('\n'), { problems: lines });
  }
  return deepFreeze(value) as Loaded<Static<S>>;
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
