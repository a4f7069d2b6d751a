import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HostpulseError } from '@hostpulse/shared';
import { loadAgentSettings, TOKEN_ENV } from './config.js';
import { samplers } from './samplers/index.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hostpulse-agent-config-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(text: string, name = 'agent.yaml'): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function problemsOf(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    loadAgentSettings(write(text), env);
  } catch (err) {
    expect(err).toBeInstanceOf(HostpulseError);
    expect((err as HostpulseError).code).toBe('config_invalid');
    return (err as HostpulseError).details.problems as string[];
  }
  throw new Error('expected the config to be refused');
}

describe('loadAgentSettings', () => {
  it('works with only collector.url, filling every default and converting units', () => {
    const { config, token, ca } = loadAgentSettings(write('collector: { url: "http://127.0.0.1:8080" }\n'), {});
    expect(config.collector.timeoutMs).toBe(10_000);
    expect(config.intervalMs).toBe(10_000);
    expect(config.host).toEqual({ id: 'auto', name: 'auto' });
    expect(config.labels).toEqual({});
    expect(config.root).toBe('/');
    expect(config.buffer).toEqual({ path: '/var/lib/hostpulse/agent.db', maxBytes: 256 * 1024 ** 2, maxAgeMs: 7 * 86_400_000 });
    expect(config.logLevel).toBe('info');
    expect(token).toBeUndefined();
    expect(ca).toBeUndefined();
    expect(Object.isFrozen(config.buffer)).toBe(true);
  });

  it('has one samplers key per registry entry, each enabled by default', () => {
    const { config } = loadAgentSettings(write('collector: { url: "http://127.0.0.1:8080" }\nsamplers: { load: { enabled: false } }\n'), {});
    expect(Object.keys(config.samplers)).toEqual(samplers.map((s) => s.name));
    expect(config.samplers.load?.enabled).toBe(false);
    expect(config.samplers.cpu?.enabled).toBe(true);
  });

  it('converts durations and sizes written in every unit', () => {
    const { config } = loadAgentSettings(
      write('collector: { url: "https://c.example", timeout: 500ms }\ninterval: 1m\nbuffer: { max_bytes: 1GB, max_age: 26h }\n'),
      {},
    );
    expect(config.collector.timeoutMs).toBe(500);
    expect(config.intervalMs).toBe(60_000);
    expect(config.buffer.maxBytes).toBe(1e9);
    expect(config.buffer.maxAgeMs).toBe(26 * 3_600_000);
  });

  it('takes the token from token:, then token_file:, then the environment', () => {
    const tokenFile = write('from-file\n', 'agent.token');
    expect(loadAgentSettings(write('collector: { url: "http://h", token: inline }\n'), { [TOKEN_ENV]: 'env' }).token).toBe('inline');
    expect(loadAgentSettings(write(`collector: { url: "http://h", token_file: ${tokenFile} }\n`), { [TOKEN_ENV]: 'env' }).token).toBe('from-file');
    expect(loadAgentSettings(write('collector: { url: "http://h" }\n'), { [TOKEN_ENV]: 'env' }).token).toBe('env');
  });

  it('reports every schema problem at once with file, key path and the quoted value', () => {
    expect(
      problemsOf(
        [
          'collector: { url: "not a url", tmeout: 5s }',
          'interval: 10 seconds',
          'host: { id: "" }',
          'buffer: { max_bytes: lots, max_age: "a week" }',
          'samplers: { cpu: { enabled: maybe }, gpu: {} }',
          'log_level: loud',
          'backups: [{ name: db, path: /b/*.gz, verify: crc }]',
        ].join('\n'),
      ),
    ).toEqual([
      'agent.yaml: collector.tmeout: unknown key (known keys here: url, token, token_file, ca_file, timeout)',
      'agent.yaml: collector.url: "not a url" is not a URL (write e.g. http://127.0.0.1:8080)',
      'agent.yaml: interval: "10 seconds" is not a duration (write 500ms, 10s, 90m, 26h or 7d)',
      'agent.yaml: host.id: must not be empty',
      'agent.yaml: buffer.max_bytes: "lots" is not a size (write 512KiB, 1MiB or 1GB)',
      'agent.yaml: buffer.max_age: "a week" is not a duration (write 500ms, 10s, 90m, 26h or 7d)',
      `agent.yaml: samplers.gpu: unknown key (known keys here: ${samplers.map((s) => s.name).join(', ')})`,
      'agent.yaml: samplers.cpu.enabled: "maybe" is not true or false',
      'agent.yaml: backups[0].verify: "crc" is not one of none, gzip, sha256',
      'agent.yaml: log_level: "loud" is not one of fatal, error, warn, info, debug, trace',
    ]);
  });

  it('has no backups by default, and reports backup values the schema cannot check', () => {
    expect(loadAgentSettings(write('collector: { url: "http://h" }\n'), {}).config.backups).toEqual([]);
    expect(
      problemsOf(
        'collector: { url: "http://h" }\nbackups:\n  - { name: db, path: "/b/*/x.gz", verify: gzip, verify_schedule: "hourly" }\n',
      ),
    ).toEqual([
      'agent.yaml: backups[0].path: "/b/*/x.gz" has * or ? in a folder name; only the file name may',
      'agent.yaml: backups[0].verify_schedule: "hourly" is not a cron expression (write e.g. "0 * * * *" for hourly, "30 4 * * *" for 04:30 daily)',
    ]);
  });

  it('names a missing collector.url', () => {
    expect(problemsOf('interval: 5s\n')).toEqual(['agent.yaml: collector: is required']);
    expect(problemsOf('collector: {}\n')).toEqual(['agent.yaml: collector.url: is required']);
  });

  it('reports every problem of the values themselves at once', () => {
    const missing = join(dir, 'nope.token');
    expect(
      problemsOf(
        [
          `collector: { url: "ftp://c.example", token: abc, token_file: ${missing}, ca_file: ${join(dir, 'ca.pem')} }`,
          'interval: 500ms',
          'root: /does/not/exist',
          'buffer: { max_bytes: 1KiB }',
        ].join('\n'),
      ),
    ).toEqual([
      'agent.yaml: collector.url: "ftp://c.example" must start with http:// or https://',
      'agent.yaml: collector.token_file: give either token or token_file, not both',
      'agent.yaml: interval: 500ms is shorter than the smallest interval, 1s',
      'agent.yaml: buffer.max_bytes: 1024 bytes is below the smallest buffer, 64KiB',
      'agent.yaml: root: "/does/not/exist" does not exist',
      `agent.yaml: collector.token_file: ${JSON.stringify(missing)} cannot be read (ENOENT)`,
      `agent.yaml: collector.ca_file: ${JSON.stringify(join(dir, 'ca.pem'))} cannot be read (ENOENT)`,
    ]);
  });

  it('refuses an interval or timeout past 1h, before Node timers would overflow', () => {
    expect(problemsOf('collector: { url: "http://h", timeout: 2h }\ninterval: 30d\n')).toEqual([
      'agent.yaml: interval: 30d is longer than the largest, 1h',
      'agent.yaml: collector.timeout: 2h is longer than 1h',
    ]);
  });

  it('never puts the token into an error message', () => {
    const problems = problemsOf('collector: { url: "ftp://h", token: "s3cr3t-token" }\n');
    expect(problems.join('\n')).not.toContain('s3cr3t-token');
  });
});
