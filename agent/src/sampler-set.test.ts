import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@hostpulse/shared';
import { loadAgentSettings } from './config.js';
import { createSamplerSet } from './sampler-set.js';

// Checks as entries of the sampler set that the daemon and --once run, and across a reload.

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hostpulse-check-set-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function configWith(checks: string[]) {
  const file = join(dir, 'agent.yaml');
  const text = ['collector: { url: "http://127.0.0.1:8080" }', 'checks:', ...checks].join('\n');
  writeFileSync(file, `${text}\n`);
  return loadAgentSettings(file, {}).config;
}

describe('checks in the sampler set', () => {
  it('come after the samplers, one entry each, marked with their name and type', () => {
    const config = configWith([
      '  - { name: ssh, type: tcp, host: 127.0.0.1, port: 22 }',
      `  - { name: data, type: storage, path: ${dir} }`,
    ]);
    const set = createSamplerSet({ config, log: silentLogger() });
    expect(set.slice(-2).map((s) => [s.name, s.check])).toEqual([
      ['check:ssh', { name: 'ssh', type: 'tcp' }],
      ['check:data', { name: 'data', type: 'storage' }],
    ]);
    expect(set.filter((s) => s.check === undefined).map((s) => s.name)).not.toContain('check:ssh');
  });

  it('keep an unchanged check across a reload, and rebuild a changed one', () => {
    const before = createSamplerSet({
      config: configWith([
        '  - { name: ssh, type: tcp, host: 127.0.0.1, port: 22 }',
        '  - { name: web, type: tcp, host: 127.0.0.1, port: 80 }',
      ]),
      log: silentLogger(),
    });
    const after = createSamplerSet({
      config: configWith([
        '  - { name: ssh, type: tcp, host: 127.0.0.1, port: 22 }',
        '  - { name: web, type: tcp, host: 127.0.0.1, port: 80, timeout: 1s }',
      ]),
      log: silentLogger(),
      previous: before,
    });
    const find = (set: typeof before, name: string) => set.find((s) => s.name === name);
    expect(find(after, 'check:ssh')).toBe(find(before, 'check:ssh'));
    expect(find(after, 'check:web')).not.toBe(find(before, 'check:web'));
  });
});
