import { describe, expect, it } from 'vitest';
import { labelsKey } from './labels-key.js';

describe('labelsKey', () => {
  it('is the same whatever order the labels came in', () => {
    expect(labelsKey({ b: '2', a: '1' })).toBe(labelsKey({ a: '1', b: '2' }));
    expect(labelsKey({ b: '2', a: '1' })).toBe('{"a":"1","b":"2"}');
  });

  it('writes an empty label set as {}', () => {
    expect(labelsKey({})).toBe('{}');
  });

  it('sorts by code unit, not by locale', () => {
    expect(labelsKey({ a: '1', B: '2', Z: '3' })).toBe('{"B":"2","Z":"3","a":"1"}');
  });
});
