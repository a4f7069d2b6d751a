import { describe, expect, it } from 'vitest';
import { compileGlobList, globToRegExp } from './glob.js';

describe('globToRegExp', () => {
  it.each([
    ['veth*', 'veth1a2b', true],
    ['veth*', 'veth', true],
    ['veth*', 'xveth1', false],
    ['lo', 'lo', true],
    ['lo', 'lo0', false],
    ['eth?', 'eth0', true],
    ['eth?', 'eth10', false],
    ['/proc/*', '/proc/sys/fs/binfmt_misc', true],
    ['/proc/*', '/proc', false],
    ['/proc/*', '/processes', false],
    ['a.b', 'a.b', true],
    ['a.b', 'axb', false],
    ['(x)+[y]', '(x)+[y]', true],
    ['/mnt/*', '/mnt/new\nline', true],
    ['*', '', true],
  ])('%j against %j is %s', (pattern, value, expected) => {
    expect(globToRegExp(pattern).test(value)).toBe(expected);
  });
});

describe('compileGlobList', () => {
  it('matches when any pattern matches', () => {
    const isExcluded = compileGlobList(['lo', 'veth*']);
    expect(isExcluded('lo')).toBe(true);
    expect(isExcluded('veth9')).toBe(true);
    expect(isExcluded('eth0')).toBe(false);
  });

  it('anchors every alternative, not only the first and last', () => {
    const isExcluded = compileGlobList(['a', 'b', 'c']);
    expect(isExcluded('xbx')).toBe(false);
    expect(isExcluded('b')).toBe(true);
  });

  it('matches nothing with an empty list', () => {
    expect(compileGlobList([])('anything')).toBe(false);
  });
});
