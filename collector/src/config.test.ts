import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HostpulseError } from '@hostpulse/shared';
import { loadCollectorConfig, parseListen } from './config.js';

const dir = mkdtempSync(join(tmpdir(), 'hostpulse-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(text: string): string {
  const file = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, text);
  return file;
}

function problemsOf(text: string): string[] {
  try {
    loadCollectorConfig(write(text), {});
  } catch (err) {
    expect((err as HostpulseError).code).toBe('config_invalid');
    return (err as HostpulseError).details.problems as string[];
  }
  throw new Error('expected config_invalid');
}

describe('loadCollectorConfig', () => {
  it('works from an empty file with every default', () => {
    const config = loadCollectorConfig(write(''), {});
    expect(config).toMatchObject({
      listen: '127.0.0.1:8080',
      dataDir: '/var/lib/hostpulse',
      database: { poolMax: 10 },
      retention: { rawMs: 15 * 86_400_000, rollupMs: 400 * 86_400_000, batchKeysMs: 8 * 86_400_000 },
      hostDownAfterMs: 60_000,
      limits: {
        maxBodyBytes: 4 * 1024 ** 2,
        maxInflatedBytes: 32 * 1024 ** 2,
        maxQueryPoints: 100_000,
        ingestPerToken: { requestsPerSecond: 20, burst: 200 },
        seriesPerHost: 10_000,
      },
      metrics: { requireToken: false },
      notifiers: [],
      rules: [],
      logLevel: 'info',
    });
    expect(config.database.url).toBeUndefined();
    expect(config.redis).toBeUndefined();
    expect(Object.isFrozen(config.limits)).toBe(true);
  });

  it('fills database and redis urls from the environment only when the file leaves them out', () => {
    const env = { DATABASE_URL: 'postgres://env@127.0.0.1/hp', REDIS_URL: 'redis://127.0.0.1:6379' };
    const fromEnv = loadCollectorConfig(write(''), env);
    expect(fromEnv.database.url).toBe('postgres://env@127.0.0.1/hp');
    expect(fromEnv.redis?.url).toBe('redis://127.0.0.1:6379');
    const fromFile = loadCollectorConfig(write('database: { url: "postgres://file@127.0.0.1/hp" }\n'), env);
    expect(fromFile.database.url).toBe('postgres://file@127.0.0.1/hp');
  });

  it('reports every problem with its key path and the quoted value', () => {
    const problems = problemsOf(
      ['listen: 8080', 'host_down_after: soon', 'limits: { max_body_bytes: huge }', 'colour: blue', 'log_level: loud'].join('\n'),
    );
    const name = problems[0]?.split(':')[0];
    expect(problems).toEqual([
      `${name}: colour: unknown key (known keys here: listen, tls, database, data_dir, redis, retention, host_down_after, public_url, limits, metrics, notifiers, rules, log_level)`,
      `${name}: listen: "8080" is not a string`,
      `${name}: host_down_after: "soon" is not a duration (write 500ms, 10s, 90m, 26h or 7d)`,
      `${name}: limits.max_body_bytes: "huge" is not a size (write 512KiB, 1MiB or 1GB)`,
      `${name}: log_level: "loud" is not one of fatal, error, warn, info, debug, trace, silent`,
    ]);
  });

  it('checks the shape and the port of listen', () => {
    expect(problemsOf('listen: "localhost"\n')[0]).toMatch(/listen: "localhost" is not valid \(write host:port/);
    expect(problemsOf('listen: "127.0.0.1:70000"\n')[0]).toMatch(/listen: "127.0.0.1:70000" has a port above 65535$/);
  });

  it('refuses rollups kept for less time than raw samples', () => {
    const problems = problemsOf('retention: { raw: 30d, rollup: 7d }\n');
    expect(problems[0]).toMatch(/: retention\.rollup: must not be shorter than retention\.raw$/);
  });

  it('reads retention.batch_keys as a duration and refuses one that is not', () => {
    const config = loadCollectorConfig(write('retention: { batch_keys: 31d }\n'), {});
    expect(config.retention.batchKeysMs).toBe(31 * 86_400_000);
    const problems = problemsOf('retention: { batch_keys: "a week" }\n');
    expect(problems[0]).toMatch(/: retention\.batch_keys: "a week" is not a duration/);
  });

  it('reports schema problems and the cross-checks of schema-valid parts in one round', () => {
    const problems = problemsOf(`
listen: "localhost"
retention: { raw: 30d, rollup: 7d }
notifiers:
  - { name: ops, type: slack, webhook_url: "https://hooks.example.com/x", colour: red }
  - { name: mail, type: email, from: a@example.com, to: [b@example.com] }
rules:
  - { name: bad, metric: m, thresholds: [{ severity: urgent, above: 1 }], notify: [nobody] }
  - { name: ok, metric: m, thresholds: [{ severity: low, above: 1 }], notify: [ops, pager] }
  - { name: ok, metric: m, thresholds: [{ severity: low, above: 1 }], notify: [ops] }
`);
    const name = problems[0]?.split(':')[0];
    expect(problems).toEqual([
      `${name}: listen: "localhost" is not valid (write host:port, e.g. 127.0.0.1:8080 or [::1]:8080)`,
      `${name}: notifiers[0].colour: unknown key (known keys here: name, type, webhook_url, webhook_url_file)`,
      `${name}: rules[0].thresholds[0].severity: "urgent" is not one of low, medium, high, critical`,
      `${name}: rules[2].name: "ok" is used twice`,
      `${name}: retention.rollup: must not be shorter than retention.raw`,
      `${name}: notifiers[1]: needs exactly one of smtp_url: or smtp_url_file:`,
      // ops has a schema problem of its own but still a name; rules[0] and [2] are not judged.
      `${name}: rules[1].notify[1]: "pager" is not a notifier (known: ops, mail)`,
    ]);
  });
});

describe('parseListen', () => {
  it('splits host and port, IPv6 without brackets', () => {
    expect(parseListen('127.0.0.1:8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseListen('[::1]:9000')).toEqual({ host: '::1', port: 9000 });
  });
});
