import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HostpulseError } from '@hostpulse/shared';
import { loadAgentSettings } from '../config.js';

// The `checks:` section as the loader reads it from a real agent.yaml.

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hostpulse-checks-config-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function load(checks: string) {
  const file = join(dir, 'agent.yaml');
  writeFileSync(file, `collector: { url: "http://127.0.0.1:8080" }\nchecks:\n${checks}\n`);
  return loadAgentSettings(file, {});
}

function problemsOf(checks: string): string[] {
  try {
    load(checks);
  } catch (err) {
    expect(err).toBeInstanceOf(HostpulseError);
    expect((err as HostpulseError).code).toBe('config_invalid');
    return (err as HostpulseError).details.problems as string[];
  }
  throw new Error('expected the config to be refused');
}

const KNOWN = 'one of http, tcp, postgres, redis, smtp, storage';

describe('checks in agent.yaml', () => {
  it('takes the SPEC example and fills every default', () => {
    const { config } = load(
      [
        '  - { name: api, type: http, url: "http://127.0.0.1:8000/healthz", expect_status: 200,' +
          ' timeout: 2s }',
        '  - { name: db, type: postgres, url: "postgres://monitor@127.0.0.1/app" }',
        '  - { name: cache, type: redis, url: "redis://127.0.0.1:6379" }',
        '  - { name: mail, type: smtp, host: 127.0.0.1, port: 25 }',
        '  - { name: ssh, type: tcp, host: 127.0.0.1, port: 22 }',
        `  - { name: data, type: storage, path: ${dir} }`,
      ].join('\n'),
    );
    expect(config.checks).toEqual([
      {
        name: 'api',
        type: 'http',
        url: 'http://127.0.0.1:8000/healthz',
        expectStatus: 200,
        timeoutMs: 2000,
      },
      { name: 'db', type: 'postgres', url: 'postgres://monitor@127.0.0.1/app', timeoutMs: 5000 },
      { name: 'cache', type: 'redis', url: 'redis://127.0.0.1:6379', timeoutMs: 5000 },
      { name: 'mail', type: 'smtp', host: '127.0.0.1', port: 25, starttls: false, timeoutMs: 5000 },
      { name: 'ssh', type: 'tcp', host: '127.0.0.1', port: 22, timeoutMs: 5000 },
      { name: 'data', type: 'storage', path: dir, timeoutMs: 5000 },
    ]);
    expect(Object.isFrozen(config.checks[0])).toBe(true);
  });

  it('has no checks by default', () => {
    const file = join(dir, 'agent.yaml');
    writeFileSync(file, 'collector: { url: "http://127.0.0.1:8080" }\n');
    expect(loadAgentSettings(file, {}).config.checks).toEqual([]);
  });

  it('names the index of an unknown, missing or misshapen type and lists the known ones', () => {
    expect(
      problemsOf(
        [
          '  - { name: ok, type: tcp, host: 127.0.0.1, port: 22 }',
          '  - { name: ftp, type: ftp, host: 127.0.0.1 }',
          '  - { name: what }',
          '  - just a string',
        ].join('\n'),
      ),
    ).toEqual([
      `agent.yaml: checks[1].type: "ftp" is not ${KNOWN}`,
      `agent.yaml: checks[2].type: is required (${KNOWN})`,
      'agent.yaml: checks[3]: expected a mapping of keys, got string "just a string"',
    ]);
  });

  it('reports every problem of the shapes at once, each with its key path', () => {
    expect(
      problemsOf(
        [
          '  - { name: "my api", type: http, url: "http://127.0.0.1", expect_status: 999 }',
          '  - { name: ssh, type: tcp, host: 127.0.0.1, timeout: soon, retries: 3 }',
          '  - { name: ssh, type: smtp, host: 127.0.0.1, starttls: yes please }',
        ].join('\n'),
      ),
    ).toEqual([
      'agent.yaml: checks[0].name: "my api" is not valid' +
        ' (letters, digits, ".", "_" and "-", starting with a letter or digit)',
      'agent.yaml: checks[0].expect_status: 999 is above the maximum 599',
      'agent.yaml: checks[1].retries: unknown key' +
        ' (known keys here: name, type, host, port, timeout)',
      'agent.yaml: checks[1].port: is required',
      'agent.yaml: checks[1].timeout: "soon" is not a duration (write 500ms, 10s, 90m, 26h or 7d)',
      'agent.yaml: checks[2].starttls: "yes please" is not true or false',
      'agent.yaml: checks[2].name: "ssh" is used twice',
    ]);
  });

  it('reports what each type checks of its values, never echoing a password', () => {
    const problems = problemsOf(
      [
        '  - { name: a, type: http, url: "ftp://user:s3cret@files/x", tls_min_days: 14 }',
        '  - { name: b, type: postgres, url: "mysql://monitor:s3cret@127.0.0.1/app" }',
        '  - { name: c, type: redis, url: "memcached://127.0.0.1" }',
        '  - { name: d, type: smtp, host: 127.0.0.1, starttls: true,' +
          ' ca_file: /nonexistent/ca.pem }',
        '  - { name: e, type: smtp, host: 127.0.0.1, ca_file: /nonexistent/ca.pem }',
        '  - { name: f, type: storage, path: srv/data }',
        '  - { name: g, type: tcp, host: 127.0.0.1, port: 22, timeout: 0s }',
      ].join('\n'),
    );
    expect(problems).toEqual([
      'agent.yaml: checks[0].url: "ftp://***@files/x" must be http or https',
      'agent.yaml: checks[0].tls_min_days: needs an https:// url',
      'agent.yaml: checks[1].url: "mysql://***@127.0.0.1/app"' +
        ' must start with postgres:// or postgresql://',
      'agent.yaml: checks[2].url: "memcached://127.0.0.1" must start with redis:// or rediss://',
      'agent.yaml: checks[3].ca_file: "/nonexistent/ca.pem" cannot be read (ENOENT)',
      'agent.yaml: checks[4].ca_file: is used only with starttls: true',
      'agent.yaml: checks[5].path: "srv/data" is not an absolute path',
      'agent.yaml: checks[6].timeout: must be longer than 0s',
    ]);
    expect(problems.join('\n')).not.toContain('s3cret');
  });
});
