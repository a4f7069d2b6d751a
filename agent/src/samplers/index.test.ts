import { readdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { samplers } from './index.js';
import type { SamplerDefinition } from './sampler.js';

// The registry is an explicit list (STYLE §3). This test fails when a sampler file in this
// folder is not in it, so a new sampler cannot be forgotten there.

const HERE = dirname(fileURLToPath(import.meta.url));
const NOT_SAMPLERS = new Set(['index.ts', 'sampler.ts']);

function isSamplerDefinition(value: unknown): value is SamplerDefinition {
  if (value === null || typeof value !== 'object') return false;
  const candidate = value as Partial<SamplerDefinition>;
  return typeof candidate.name === 'string' && typeof candidate.create === 'function' && typeof candidate.config === 'object';
}

async function samplerFiles(): Promise<string[]> {
  const names = await readdir(HERE);
  return names.filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts') && !NOT_SAMPLERS.has(name)).sort();
}

describe('sampler registry', () => {
  it('lists every sampler defined in this folder', async () => {
    const registered = new Set<unknown>(samplers);
    for (const file of await samplerFiles()) {
      const module = (await import(`./${file.replace(/\.ts$/, '.js')}`)) as Record<string, unknown>;
      const definitions = Object.values(module).filter(isSamplerDefinition);
      expect(definitions, `${file} exports no sampler definition`).not.toHaveLength(0);
      // disk-io.ts exports diskIoSampler (STYLE §4: one main export named after the file)
      const exportName = `${file.replace(/\.ts$/, '').replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase())}Sampler`;
      expect(isSamplerDefinition(module[exportName]), `${file} does not export ${exportName}`).toBe(true);
      for (const definition of definitions) {
        expect(registered.has(definition), `${file}: ${definition.name} is not listed in samplers/index.ts`).toBe(true);
      }
    }
  });

  it('has one file per sampler, named after it, and unique names', async () => {
    expect(await samplerFiles()).toHaveLength(samplers.length);
    const names = samplers.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('holds the samplers of SPEC §3.2 under their agent.yaml names', () => {
    const names = samplers.map((s) => s.name);
    for (const name of ['cpu', 'memory', 'load', 'filesystem', 'diskio', 'network']) expect(names).toContain(name);
  });
});
