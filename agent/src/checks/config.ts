import { Type, type TObject, type TSchema } from '@sinclair/typebox';
import { Duration } from '@hostpulse/shared';
import type { CheckDefinition } from './check.js';
import { checks } from './index.js';

// The `checks:` section of agent.yaml: a list tagged by `type`, one variant per registry entry,
// each `{ name, type, ...that check's own keys, timeout }`. The shared validator judges an item
// against its own type only, names an unknown type with the list of known ones, and refuses a
// name used twice (x-hostpulse-unique).

/** A check's entry after loading: the common keys plus its own, camelCased. */
export type CheckSection = Readonly<
  { name: string; type: string; timeoutMs: number } & Record<string, unknown>
>;

// Names become a label value and part of log lines and --once output: keep them plain.
const NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]*$';

export const DEFAULT_CHECK_TIMEOUT = '5s';

export function checksSchema(): TSchema {
  const variants = (checks as readonly CheckDefinition[]).map((definition) =>
    Type.Object({
      name: Type.String({
        pattern: NAME_PATTERN,
        description: 'letters, digits, ".", "_" and "-", starting with a letter or digit',
      }),
      type: Type.Literal(definition.type),
      ...(definition.config as TObject).properties,
      timeout: Duration({ default: DEFAULT_CHECK_TIMEOUT }),
    }),
  );
  return Type.Array(Type.Union(variants), { default: [], 'x-hostpulse-unique': 'name' });
}

/** What the schema cannot say, as `checks[i].key: message` (without the file name). */
export function checkProblems(sections: readonly CheckSection[]): string[] {
  const problems: string[] = [];
  sections.forEach((section, i) => {
    const at = `checks[${i}]`;
    if (section.timeoutMs <= 0) problems.push(`${at}.timeout: must be longer than 0s`);
    const definition = findCheck(section.type);
    for (const p of definition?.validate?.(section as never) ?? []) {
      problems.push(`${at}.${p.key}: ${p.message}`);
    }
  });
  return problems;
}

export function findCheck(type: string): CheckDefinition | undefined {
  return (checks as readonly CheckDefinition[]).find((d) => d.type === type);
}
