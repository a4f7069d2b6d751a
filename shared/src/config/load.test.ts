import { describe, expect, it } from 'vitest';
import { Type } from '@sinclair/typebox';
import { parseConfigText } from './load.js';
import { Duration, Size } from './types.js';
import { HostpulseError } from '../errors.js';

const schema = Type.Object({
  collector: Type.Object({ url: Type.String({ format: 'uri' }), timeout: Duration({ default: '10s' }) }),
  interval: Duration({ default: '10s' }),
  labels: Type.Record(Type.String(), Type.String(), { default: {} }),
  buffer: Type.Object({ max_bytes: Size({ default: '256MiB' }), max_age: Duration({ default: '7d' }) }, { default: {} }),
  backups: Type.Array(
    Type.Object({ name: Type.String(), max_age: Duration(), verify: Type.Union([Type.Literal('none'), Type.Literal('gzip')], { default: 'none' }) }),
    { default: [], 'x-hostpulse-unique': 'name' },
  ),
});

function problemsOf(text: string): string[] {
  try {
    parseConfigText(schema, text, '/etc/hostpulse/agent.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(HostpulseError);
    expect((err as HostpulseError).code).toBe('config_invalid');
    return (err as HostpulseError).details.problems as string[];
  }
  return [];
}

describe('parseConfigText', () => {
  it('fills defaults, converts units and renames keys for the code', () => {
    const config = parseConfigText(schema, 'collector: { url: "http://127.0.0.1:8080" }\nlabels: { env_name: prod }\n', 'agent.yaml');
    expect(config.collector.timeoutMs).toBe(10_000);
    expect(config.intervalMs).toBe(10_000);
    expect(config.buffer.maxBytes).toBe(268_435_456);
    expect(config.buffer.maxAgeMs).toBe(604_800_000);
    expect(config.labels).toEqual({ env_name: 'prod' });
    expect(Object.isFrozen(config.buffer)).toBe(true);
  });

  it('reports every problem at once with file, key path and the quoted value', () => {
    const problems = problemsOf(
      [
        'collector: { url: "not a url", tmeout: 5s }',
        'interval: 10 seconds',
        'backups:',
        '  - { name: pg, max_age: "26 hours", verify: md5 }',
        '  - { name: pg, max_age: 1d }',
      ].join('\n'),
    );
    expect(problems).toEqual([
      'agent.yaml: collector.tmeout: unknown key (known keys here: url, timeout)',
      'agent.yaml: collector.url: "not a url" is not a URL (write e.g. http://127.0.0.1:8080)',
      'agent.yaml: interval: "10 seconds" is not a duration (write 500ms, 10s, 90m, 26h or 7d)',
      'agent.yaml: backups[0].max_age: "26 hours" is not a duration (write 500ms, 10s, 90m, 26h or 7d)',
      'agent.yaml: backups[0].verify: "md5" is not one of none, gzip',
      'agent.yaml: backups[1].name: "pg" is used twice',
    ]);
  });

  it('names a missing required key and a YAML syntax error by line', () => {
    expect(problemsOf('interval: 5s\n')).toEqual(['agent.yaml: collector: is required']);
    expect(problemsOf('collector: [unclosed\n')[0]).toMatch(/^agent\.yaml: line \d+: /);
  });
});
