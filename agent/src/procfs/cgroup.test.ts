import { describe, expect, it } from 'vitest';
import { parseByteLimit, parseCfsQuota, parseCpuMax, parseProcCgroup } from './cgroup.js';

describe('parseProcCgroup', () => {
  it('reads a hybrid host (captured on the build machine, a container on cgroup v1)', () => {
    const text = '9:name=systemd:/\n4:memory:/process_api/2c19f8\n2:cpuacct:/\n1:cpu:/\n0::/\n';
    const parsed = parseProcCgroup(text);
    expect(parsed.unifiedPath).toBe('/');
    expect(parsed.v1Paths.get('memory')).toBe('/process_api/2c19f8');
    expect(parsed.v1Paths.get('cpu')).toBe('/');
  });

  it('splits a hierarchy holding several controllers', () => {
    const parsed = parseProcCgroup('3:cpu,cpuacct:/docker/abc\n');
    expect(parsed.unifiedPath).toBeUndefined();
    expect([...parsed.v1Paths]).toEqual([['cpu', '/docker/abc'], ['cpuacct', '/docker/abc']]);
  });

  it('reads a pure v2 host', () => {
    expect(parseProcCgroup('0::/system.slice/hostpulse-agent.service\n').unifiedPath).toBe(
      '/system.slice/hostpulse-agent.service',
    );
  });
});

describe('limit files', () => {
  it.each([
    ['v2 no limit', 'max\n', undefined],
    ['v2 512 MiB', '536870912\n', 536870912],
    ['v1 no limit (4 KiB pages)', '9223372036854771712\n', undefined],
    ['v1 1 GiB', '1073741824\n', 1073741824],
  ])('parseByteLimit: %s', (_why, text, expected) => {
    expect(parseByteLimit(text)).toBe(expected);
  });

  it('parseByteLimit refuses garbage, quoting it', () => {
    expect(() => parseByteLimit('lots\n')).toThrow('"lots" is not a limit');
  });

  it.each([
    ['no limit', 'max 100000\n', undefined],
    ['one and a half cores', '150000 100000\n', 1.5],
    ['a quarter core over a 50 ms period', '12500 50000\n', 0.25],
  ])('parseCpuMax: %s', (_why, text, expected) => {
    expect(parseCpuMax(text)).toBe(expected);
  });

  it('parseCfsQuota: -1 is no limit, else quota over period', () => {
    expect(parseCfsQuota('-1\n', '100000\n')).toBeUndefined();
    expect(parseCfsQuota('50000\n', '100000\n')).toBe(0.5);
    expect(() => parseCfsQuota('0\n', '100000\n')).toThrow('"0 100000" is not a CPU quota');
  });
});
