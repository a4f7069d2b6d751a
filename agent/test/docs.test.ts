import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentConfigSchema } from '../src/config.js';
import { agentJsonSchema } from '../src/config-json-schema.js';
import { samplers } from '../src/samplers/index.js';
import type { SamplerDefinition } from '../src/samplers/sampler.js';
import { selfMetrics } from '../src/self-metrics.js';
import {
  fixtureRoot, samplerConfig, samplerContext, snapshotRoot, testClock,
} from './fixtures/snapshot-root.js';

// The docs cannot fall behind the code: every metric a sampler produces on the fixture trees
// (plus the agent's own, and the backup and check metrics of SPEC §3.3 once their folders
// exist) is named in docs/metrics.md; every key of the loader's schema is named in
// docs/agent.md; docs/agent.schema.json is what agent/scripts/json-schema.mjs writes today.

const repo = resolve(import.meta.dirname, '..', '..');
const agentSrc = resolve(import.meta.dirname, '..', 'src');
const metricsDoc = readFileSync(join(repo, 'docs', 'metrics.md'), 'utf8');
const agentDoc = readFileSync(join(repo, 'docs', 'agent.md'), 'utf8');

// SPEC §3.3, for the parts whose code lives in agent/src/backups and agent/src/checks.
const BACKUP_METRICS = [
  'backup_age_seconds', 'backup_size_bytes', 'backup_files', 'backup_size_change_percent',
  'backup_verified',
];
const CHECK_METRICS = [
  'check_up', 'check_latency_seconds', 'postgres_connections_used_percent',
  'postgres_longest_transaction_seconds', 'postgres_cache_hit_percent', 'redis_memory_used_bytes',
  'redis_connected_clients',
];

// Fixture roots that between them make every sampler produce every metric it has; rate
// samplers read the two snapshots of basic-host.
const STATIC_ROOTS = ['kvm-guest', 'container-cgroup-v2', 'old-kernel'];

async function producedMetrics(): Promise<Set<string>> {
  const names = new Set<string>();
  const collect = (series: readonly { metric: string }[]) => {
    for (const s of series) names.add(s.metric);
  };
  for (const definition of samplers as readonly SamplerDefinition[]) {
    for (const root of STATIC_ROOTS) {
      const context = samplerContext(fixtureRoot(root));
      const sampler = definition.create(context, samplerConfig(definition));
      await sampler.sample(0).then((r) => collect(r.series), () => undefined);
    }
    const snapshots = await snapshotRoot('basic-host');
    try {
      const clock = testClock();
      const context = samplerContext(snapshots.rootDir, clock);
      const sampler = definition.create(context, samplerConfig(definition));
      await sampler.sample(clock.now()).catch(() => undefined);
      await snapshots.show('t1');
      clock.advance(10_000);
      await sampler.sample(clock.now()).then((r) => collect(r.series), () => undefined);
    } finally {
      await snapshots.remove();
    }
  }
  const buffer = { batches: 0, bytes: 0, droppedTotal: 0 } as never;
  collect(selfMetrics({ buffer, cycleMs: 1, residentBytes: 1 }));
  return names;
}

/** Key paths of a JSON Schema: `collector.url`, `samplers.cpu.enabled`, `backups[].name`. */
function keyPaths(schema: Record<string, unknown>, prefix = ''): string[] {
  const paths: string[] = [];
  const properties = schema.properties as Record<string, Record<string, unknown>> | undefined;
  for (const [key, child] of Object.entries(properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    // A section is documented through its keys; a key without keys of its own (`labels`) by name.
    const inner = keyPaths(child, path);
    paths.push(...(inner.length > 0 ? inner : [path]));
  }
  const items = schema.items as Record<string, unknown> | undefined;
  if (items) paths.push(...keyPaths(items, `${prefix}[]`));
  for (const member of [...((schema.anyOf as []) ?? []), ...((schema.oneOf as []) ?? [])]) {
    paths.push(...keyPaths(member, prefix));
  }
  return [...new Set(paths)];
}

/** How agent.md may name a key: in full, `samplers.<name>.enabled`, `filesystem.exclude_mounts`. */
function isDocumented(path: string): boolean {
  const named = (text: string) => agentDoc.includes(`\`${text}\``);
  const sampler = /^samplers\.([^.]+)(?:\.(.+))?$/.exec(path);
  if (sampler) {
    const [, name, option] = sampler;
    if (option === undefined || option === 'enabled') return named('samplers.<name>.enabled');
    return named(`${name}.${option}`) || named(path);
  }
  // The service checks section documents its keys per type, in tables of bare key names.
  const check = /^checks\[\]\.(.+)$/.exec(path);
  if (check) return checksSection().includes(`| \`${check[1]}\` |`);
  return named(path) || named(path.replace(/\[\]/g, ''));
}

function checksSection(): string {
  const start = agentDoc.indexOf('## Service checks');
  if (start < 0) return '';
  const end = agentDoc.indexOf('\n## ', start + 1);
  return agentDoc.slice(start, end < 0 ? undefined : end);
}

describe('docs', () => {
  it('docs/metrics.md names every metric the agent produces', async () => {
    const expected = [...(await producedMetrics())];
    if (existsSync(join(agentSrc, 'backups'))) expected.push(...BACKUP_METRICS);
    if (existsSync(join(agentSrc, 'checks'))) expected.push(...CHECK_METRICS);
    // The fixtures must reach every sampler: each one adds at least one metric.
    expect(expected.length, expected.join(' ')).toBeGreaterThanOrEqual(30);
    const missing = expected.filter((metric) => !metricsDoc.includes(`\`${metric}\``));
    expect(missing, 'metrics missing from docs/metrics.md').toEqual([]);
  });

  it('docs/agent.md names every key of agent.yaml', () => {
    const schema = JSON.parse(JSON.stringify(agentConfigSchema)) as Record<string, unknown>;
    const paths = keyPaths(schema);
    expect(paths).toContain('collector.url');
    expect(paths).toContain('samplers.filesystem.exclude_mounts');
    const missing = paths.filter((path) => !isDocumented(path));
    expect(missing, 'keys missing from docs/agent.md').toEqual([]);
  });

  it('docs/agent.schema.json is what agent/scripts/json-schema.mjs writes', () => {
    const written = readFileSync(join(repo, 'docs', 'agent.schema.json'), 'utf8');
    expect(written).toBe(`${JSON.stringify(agentJsonSchema(), null, 2)}\n`);
  });

  it('the published schema lets only collector.url be required and refuses unknown keys', () => {
    const schema = agentJsonSchema() as { required: string[]; additionalProperties: boolean };
    expect(schema.required).toEqual(['collector']);
    expect(schema.additionalProperties).toBe(false);
  });
});
