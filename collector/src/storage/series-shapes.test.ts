import { describe, expect, it } from 'vitest';
import { labelsKey } from './labels-key.js';
import { SeriesShapes } from './series-shapes.js';
import type { Labels } from './storage.js';

describe('SeriesShapes', () => {
  it('hands back the identity remembered at the same position when metric and labels match', () => {
    const shapes = new SeriesShapes();
    const first = shapes.identify('h', [{ metric: 'm', labels: { b: '2', a: '1' } }]);
    const again = shapes.identify('h', [{ metric: 'm', labels: { a: '1', b: '2' } }]);
    expect(again[0]).toBe(first[0]);
    expect(again[0]?.labelsKey).toBe(labelsKey({ a: '1', b: '2' }));
  });

  it('makes a new identity when a label is added, removed or changed, or the metric differs', () => {
    const shapes = new SeriesShapes();
    shapes.identify('h', [{ metric: 'm', labels: { a: '1' } }]);
    const cases: { metric: string; labels: Labels }[] = [
      { metric: 'm', labels: { a: '1', b: '2' } },
      { metric: 'm', labels: {} },
      { metric: 'm', labels: { a: '2' } },
      { metric: 'n', labels: { a: '1' } },
    ];
    for (const series of cases) {
      shapes.identify('h', [{ metric: 'm', labels: { a: '1' } }]);
      const [identity] = shapes.identify('h', [series]);
      expect(identity).toEqual({ ...series, labelsKey: labelsKey(series.labels), labelCount: Object.keys(series.labels).length });
    }
  });

  it('keeps hosts apart and follows series that moved position', () => {
    const shapes = new SeriesShapes();
    shapes.identify('h1', [{ metric: 'a', labels: {} }, { metric: 'b', labels: {} }]);
    const other = shapes.identify('h2', [{ metric: 'b', labels: {} }]);
    const moved = shapes.identify('h1', [{ metric: 'b', labels: {} }, { metric: 'a', labels: {} }]);
    expect(other.map((s) => s.metric)).toEqual(['b']);
    expect(moved.map((s) => s.metric)).toEqual(['b', 'a']);
  });
});
