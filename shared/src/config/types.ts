import { Type, type TSchema, type TUnsafe, type SchemaOptions } from '@sinclair/typebox';
import { DURATION_PATTERN } from '../durations.js';
import { SIZE_PATTERN } from '../sizes.js';

// Config schemas are TypeBox schemas, i.e. plain JSON Schema: the same object validates
// agent.yaml, describes it to editors (docs/*.schema.json) and gives the TypeScript type.
// Durations and sizes are strings in YAML but numbers after loading, so their static type is
// number while their JSON Schema says string; the loader converts them (validate.ts).

export const UNIT_KEY = 'x-hostpulse-unit';

export type DurationMs = number & { readonly __unit?: 'ms' };
export type SizeBytes = number & { readonly __unit?: 'bytes' };

export function Duration(options: SchemaOptions & { default?: string } = {}): TUnsafe<DurationMs> {
  return Type.Unsafe<DurationMs>({
    ...options,
    type: 'string',
    pattern: DURATION_PATTERN,
    [UNIT_KEY]: 'duration',
  });
}

export function Size(options: SchemaOptions & { default?: string } = {}): TUnsafe<SizeBytes> {
  return Type.Unsafe<SizeBytes>({
    ...options,
    type: 'string',
    pattern: SIZE_PATTERN,
    [UNIT_KEY]: 'size',
  });
}

/** A string holding a secret: the loader keeps it, --check-config prints it redacted. */
export function Secret(options: SchemaOptions = {}): TSchema {
  return Type.String({ ...options, 'x-hostpulse-secret': true });
}

type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;

type Suffixed<K extends string, S extends string> = K extends `${string}${S}` ? K : `${K}${S}`;

// [V] keeps optional values (DurationMs | undefined) from distributing into two keys.
// A plain number is assignable to DurationMs (its brand is optional), so only values that carry
// the `__unit` key are durations or sizes; without this check `pool_max` would become poolMaxMs.
type WithUnit<K extends string, V> = [V] extends [undefined]
  ? K
  : '__unit' extends keyof NonNullable<V>
    ? [V] extends [DurationMs | undefined]
      ? Suffixed<K, 'Ms'>
      : [V] extends [SizeBytes | undefined]
        ? Suffixed<K, 'Bytes'>
        : K
    : K;

type Primitive = string | number | boolean | undefined | null;

/**
 * What the loader returns for a YAML shape T: snake_case keys of declared properties become
 * camelCase, durations gain an `Ms` suffix, everything is read-only. Keys of free-form maps
 * (labels) are left alone because they are the user's data, not ours.
 */
export type Loaded<T> = T extends Primitive
  ? T
  : T extends readonly (infer U)[]
    ? readonly Loaded<U>[]
    : string extends keyof T
      ? { readonly [K in keyof T]: Loaded<T[K]> }
      : { readonly [K in keyof T as WithUnit<CamelCase<K & string>, T[K]>]: Loaded<T[K]> };
