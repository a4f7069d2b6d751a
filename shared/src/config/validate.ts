import type { TSchema } from '@sinclair/typebox';
import { parseDuration } from '../durations.js';
import { parseSize } from '../sizes.js';
import { quote } from '../errors.js';
import { UNIT_KEY } from './types.js';

// A config validator over the subset of JSON Schema our TypeBox schemas use. It is ours rather
// than a general one because it must do four things in one walk: report every problem (not the
// first), word each one for an operator (`"26 hours" is not a duration (write 26h, 90m or 7d)`),
// fill defaults, and turn YAML spellings into what the code uses (durations to ms, sizes to
// bytes, snake_case keys to camelCase).

export interface Problem {
  readonly path: string;
  readonly message: string;
}

type Json = Record<string, unknown>;

export function validateConfig(schema: TSchema, input: unknown): { value: unknown; problems: Problem[] } {
  const problems: Problem[] = [];
  const value = walk(schema as Json, input, '', problems);
  return { value, problems };
}

function walk(schema: Json, input: unknown, path: string, problems: Problem[]): unknown {
  const value = input === undefined && 'default' in schema ? structuredClone(schema.default) : input;
  if (Array.isArray(schema.anyOf)) return walkUnion(schema, schema.anyOf as Json[], value, path, problems);
  switch (schema.type) {
    case 'object':
      return walkObject(schema, value, path, problems);
    case 'array':
      return walkArray(schema, value, path, problems);
    case 'string':
      return walkString(schema, value, path, problems);
    case 'number':
    case 'integer':
      return walkNumber(schema, value, path, problems);
    case 'boolean':
      if (typeof value !== 'boolean') problems.push({ path, message: `${quote(value)} is not true or false` });
      return value;
    default:
      return value;
  }
}

function walkObject(schema: Json, value: unknown, path: string, problems: Problem[]): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    problems.push({ path, message: `expected a mapping of keys, got ${describe(value)}` });
    return value;
  }
  const input = value as Json;
  const patterns = schema.patternProperties as Record<string, Json> | undefined;
  if (patterns) {
    // A free-form map (labels): its keys are the user's, so they are kept as written.
    const [keyPattern, valueSchema] = Object.entries(patterns)[0] as [string, Json];
    const keyShape = new RegExp(keyPattern);
    const out: Json = {};
    for (const [key, item] of Object.entries(input)) {
      if (!keyShape.test(key)) problems.push({ path: join(path, key), message: `${quote(key)} is not a valid key` });
      out[key] = walk(valueSchema, item, join(path, key), problems);
    }
    return out;
  }
  const properties = (schema.properties ?? {}) as Record<string, Json>;
  const required = new Set((schema.required ?? []) as string[]);
  const out: Json = {};
  for (const key of Object.keys(input)) {
    if (!(key in properties)) {
      const known = Object.keys(properties).join(', ');
      problems.push({ path: join(path, key), message: `unknown key (known keys here: ${known})` });
    }
  }
  for (const [key, propSchema] of Object.entries(properties)) {
    const childPath = join(path, key);
    if (input[key] === undefined && !('default' in propSchema)) {
      if (required.has(key)) problems.push({ path: childPath, message: 'is required' });
      continue;
    }
    out[codeName(key, propSchema)] = walk(propSchema, input[key], childPath, problems);
  }
  return out;
}

function walkArray(schema: Json, value: unknown, path: string, problems: Problem[]): unknown {
  if (!Array.isArray(value)) {
    problems.push({ path, message: `expected a list, got ${describe(value)}` });
    return value;
  }
  if (typeof schema.minItems === 'number' && value.length < schema.minItems) {
    problems.push({ path, message: `needs at least ${schema.minItems} item(s)` });
  }
  const items = schema.items as Json;
  const out = value.map((item, i) => walk(items, item, `${path}[${i}]`, problems));
  if (typeof schema['x-hostpulse-unique'] === 'string') {
    const field = schema['x-hostpulse-unique'];
    const seen = new Set<unknown>();
    value.forEach((item, i) => {
      const id = (item as Json | null)?.[field];
      if (id !== undefined && seen.has(id)) {
        problems.push({ path: `${path}[${i}].${field}`, message: `${quote(id)} is used twice` });
      }
      seen.add(id);
    });
  }
  return out;
}

function walkString(schema: Json, value: unknown, path: string, problems: Problem[]): unknown {
  if (typeof value !== 'string') {
    problems.push({ path, message: `${quote(value)} is not a ${schema[UNIT_KEY] ?? 'string'}` });
    return value;
  }
  if (schema[UNIT_KEY] === 'duration') {
    const ms = parseDuration(value);
    if (ms === undefined) problems.push({ path, message: `${quote(value)} is not a duration (write 500ms, 10s, 90m, 26h or 7d)` });
    return ms;
  }
  if (schema[UNIT_KEY] === 'size') {
    const bytes = parseSize(value);
    if (bytes === undefined) problems.push({ path, message: `${quote(value)} is not a size (write 512KiB, 1MiB or 1GB)` });
    return bytes;
  }
  if (schema.const !== undefined && value !== schema.const) {
    problems.push({ path, message: `${quote(value)} must be ${quote(schema.const)}` });
  }
  if (typeof schema.minLength === 'number' && value.length < schema.minLength) {
    problems.push({ path, message: 'must not be empty' });
  }
  if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern).test(value)) {
    const hint = typeof schema.description === 'string' ? ` (${schema.description})` : '';
    problems.push({ path, message: `${quote(value)} is not valid${hint}` });
  }
  if (schema.format === 'uri' && !isUrl(value)) {
    problems.push({ path, message: `${quote(value)} is not a URL (write e.g. http://127.0.0.1:8080)` });
  }
  return value;
}

function walkNumber(schema: Json, value: unknown, path: string, problems: Problem[]): unknown {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    problems.push({ path, message: `${quote(value)} is not a number` });
    return value;
  }
  if (schema.type === 'integer' && !Number.isInteger(value)) {
    problems.push({ path, message: `${value} is not a whole number` });
  }
  if (typeof schema.minimum === 'number' && value < schema.minimum) {
    problems.push({ path, message: `${value} is below the minimum ${schema.minimum}` });
  }
  if (typeof schema.maximum === 'number' && value > schema.maximum) {
    problems.push({ path, message: `${value} is above the maximum ${schema.maximum}` });
  }
  return value;
}

function walkUnion(schema: Json, variants: Json[], value: unknown, path: string, problems: Problem[]): unknown {
  if (variants.every((v) => v.const !== undefined)) {
    const allowed = variants.map((v) => v.const);
    if (!allowed.includes(value)) {
      problems.push({ path, message: `${quote(value)} is not one of ${allowed.join(', ')}` });
    }
    return value;
  }
  const tag = discriminator(variants);
  if (tag) {
    // Tagged union (checks by `type`): judge the value against its own variant only, so the
    // operator reads "checks[2].port: is required", not a list of every variant's complaints.
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      problems.push({ path, message: `expected a mapping of keys, got ${describe(value)}` });
      return value;
    }
    const kinds = variants.map((v) => (v.properties as Record<string, Json>)[tag]?.const);
    const given = (value as Json)[tag];
    const chosen = variants.find((_, i) => kinds[i] === given);
    if (!chosen) {
      const known = `one of ${kinds.join(', ')}`;
      const message = given === undefined ? `is required (${known})` : `${quote(given)} is not ${known}`;
      problems.push({ path: join(path, tag), message });
      return value;
    }
    return walk(chosen, value, path, problems);
  }
  for (const variant of variants) {
    const attempt: Problem[] = [];
    const out = walk(variant, value, path, attempt);
    if (attempt.length === 0) return out;
  }
  const hint = typeof schema.description === 'string' ? ` (${schema.description})` : '';
  problems.push({ path, message: `${quote(value)} is not valid here${hint}` });
  return value;
}

function discriminator(variants: Json[]): string | undefined {
  const first = variants[0]?.properties as Record<string, Json> | undefined;
  if (!first) return undefined;
  return Object.keys(first).find((key) =>
    variants.every((v) => (v.properties as Record<string, Json> | undefined)?.[key]?.const !== undefined),
  );
}

/** snake_case → camelCase, plus the unit a duration or size carries after loading. */
export function codeName(key: string, schema: Json): string {
  const camel = key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  const unit = schema[UNIT_KEY] ?? (schema.anyOf as Json[] | undefined)?.[0]?.[UNIT_KEY];
  if (unit === 'duration' && !camel.endsWith('Ms')) return `${camel}Ms`;
  if (unit === 'size' && !camel.endsWith('Bytes')) return `${camel}Bytes`;
  return camel;
}

function join(path: string, key: string): string {
  const part = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? key : JSON.stringify(key);
  return path ? `${path}.${part}` : part;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  return `${typeof value} ${quote(value)}`;
}

function isUrl(text: string): boolean {
  try {
    new URL(text);
    return true;
  } catch {
    return false;
  }
}
