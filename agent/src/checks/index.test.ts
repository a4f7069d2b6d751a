import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CheckDefinition } from './check.js';
import { checks } from './index.js';

// The registry is an explicit list (STYLE §3). This test fails when a check file in this folder
// is not in it, and when a check's key or metric is missing from the docs.

const HERE = dirname(fileURLToPath(import.meta.url));
const DOCS = join(HERE, '..', '..', '..', 'docs');
// The contract, the registry and the parts checks share; every other file is one check type.
const NOT_CHECKS = new Set([
  'check.ts',
  'index.ts',
  'config.ts',
  'run-check.ts',
  'connect.ts',
  'ca-file.ts',
  'smtp-link.ts',
]);

function isCheckDefinition(value: unknown): value is CheckDefinition {
  if (value === null || typeof value !== 'object') return false;
  const candidate = value as Partial<CheckDefinition>;
  return typeof candidate.type === 'string' && typeof candidate.create === 'function';
}

async function checkFiles(): Promise<string[]> {
  const names = await readdir(HERE);
  const isSource = (name: string) => name.endsWith('.ts') && !name.endsWith('.test.ts');
  return names.filter((name) => isSource(name) && !NOT_CHECKS.has(name)).sort();
}

/** The part of a doc from `## <title>` to the next `## `. */
function section(file: string, title: string): string {
  const text = readFileSync(join(DOCS, file), 'utf8');
  const start = text.indexOf(`\n## ${title}`);
  expect(start, `${file} has no section "${title}"`).toBeGreaterThanOrEqual(0);
  const end = text.indexOf('\n## ', start + 1);
  return text.slice(start, end < 0 ? undefined : end);
}

describe('check registry', () => {
  it('lists every check defined in this folder, exported as <file>Check', async () => {
    const registered = new Set<unknown>(checks);
    for (const file of await checkFiles()) {
      const base = file.replace(/\.ts$/, '');
      const module = (await import(/* @vite-ignore */ `./${base}.js`)) as Record<string, unknown>;
      const exportName = `${base}Check`;
      const definition = module[exportName];
      expect(isCheckDefinition(definition), `${file} does not export ${exportName}`).toBe(true);
      expect(registered.has(definition), `${file}: not listed in checks/index.ts`).toBe(true);
    }
    expect(await checkFiles()).toHaveLength(checks.length);
  });

  it('holds the types of SPEC §3.2, each once', () => {
    const types = checks.map((c) => c.type);
    expect(types).toEqual(['http', 'tcp', 'postgres', 'redis', 'smtp', 'storage']);
    expect(new Set(types).size).toBe(types.length);
  });

  it('documents every key of every type in docs/agent.md', () => {
    const doc = section('agent.md', 'Service checks');
    for (const key of ['name', 'type', 'timeout']) expect(doc).toContain(`| \`${key}\` |`);
    for (const check of checks) {
      for (const key of Object.keys(check.config.properties)) {
        expect(doc, `${check.type}.${key}`).toContain(`| \`${check.type}\` | \`${key}\` |`);
      }
    }
  });

  it('documents every metric in docs/metrics.md', () => {
    const doc = section('metrics.md', 'Service checks');
    const metrics = ['check_up', 'check_latency_seconds', ...checks.flatMap((c) => c.metrics)];
    for (const metric of metrics) expect(doc, metric).toContain(`| \`${metric}\` |`);
  });
});
