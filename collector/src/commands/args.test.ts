import { describe, expect, it } from 'vitest';
import { HostpulseError } from '@hostpulse/shared';
import { parseInvocation } from './args.js';

const env = {};

describe('parseInvocation', () => {
  it.each([
    [[], { kind: 'serve' }],
    [['serve'], { kind: 'serve' }],
    [['migrate'], { kind: 'migrate' }],
    [['token', 'list'], { kind: 'token-list' }],
    [['token', 'revoke', 'web-1'], { kind: 'token-revoke', name: 'web-1' }],
    [['token', 'create', '--agent', 'web-1'], { kind: 'token-create', name: 'web-1', tokenKind: 'agent', role: null }],
    [['token', 'create', '--api', 'grafana', '--role', 'viewer'], { kind: 'token-create', name: 'grafana', tokenKind: 'api', role: 'viewer' }],
    [['--check-config'], { kind: 'check-config' }],
    [['--version'], { kind: 'version' }],
    [['simulate', '--agents', '5'], { kind: 'simulate' }],
  ])('%j', (argv, command) => {
    expect(parseInvocation(argv, env).command).toEqual(command);
  });

  it('takes --config over HOSTPULSE_COLLECTOR_CONFIG over the default', () => {
    expect(parseInvocation([], {}).configFile).toBe('/etc/hostpulse/collector.yaml');
    expect(parseInvocation([], { HOSTPULSE_COLLECTOR_CONFIG: '/tmp/c.yaml' }).configFile).toBe('/tmp/c.yaml');
    expect(parseInvocation(['--config', '/x.yaml'], { HOSTPULSE_COLLECTOR_CONFIG: '/tmp/c.yaml' }).configFile).toBe('/x.yaml');
  });

  it.each([
    [['token', 'create'], 'token create needs exactly one of --agent NAME or --api NAME'],
    [['token', 'create', '--api', 'x', '--role', 'root'], '--role: "root" is not one of viewer, operator, admin'],
    [['token', 'create', '--agent', 'x', '--role', 'admin'], '--role is for --api tokens only'],
    [['token', 'create', '--agent', 'a b'], 'token name "a b" may hold letters, digits and . _ @ - (up to 100)'],
    [['frobnicate'], 'unknown command "frobnicate"'],
    [['migrate', '--agent', 'x'], '--agent belongs to token create only'],
  ])('refuses %j', (argv, message) => {
    try {
      parseInvocation(argv, env);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(HostpulseError);
      expect((err as HostpulseError).message).toBe(message);
    }
  });

  it('refuses an unknown flag', () => {
    expect(() => parseInvocation(['--colour'], env)).toThrow(/Unknown option '--colour'/);
  });
});
