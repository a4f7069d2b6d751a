import { describe, expect, it } from 'vitest';
import { labelsKey, sameLabels, seriesKey } from './labels-key.js';

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

describe('sameLabels', () => {
  it('compares names and values in any order, and notices a label more or less on either side', () => {
    expect(sameLabels({ a: '1', b: '2' }, { b: '2', a: '1' })).toBe(true);
    expect(sameLabels({}, {})).toBe(true);
    expect(sameLabels({ a: '1' }, { a: '2' })).toBe(false);
    expect(sameLabels({ a: '1' }, { a: '1', b: '2' })).toBe(false);
    expect(sameLabels({ a: '1', b: '2' }, { a: '1' })).toBe(false);
  });
});

describe('seriesKey', () => {
  it('tells metrics and label keys apart even where their texts run together', () => {
    expect(seriesKey({ metric: 'ab', labelsKey: '{}' })).not.toBe(seriesKey({ metric: 'a', labelsKey: 'b{}' }));
  });
});
