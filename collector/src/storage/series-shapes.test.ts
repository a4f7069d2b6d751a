import { describe, expect, it } from 'vitest';
import { labelsKey } from './labels-key.js';
import { SeriesShapes } from './series-shapes.js';
import type { Labels } from './storage.js';

describe('SeriesShapes', () => {
  it('hands back the identity remembered at the same position when metric and labels match', () => {
    const shapes = new SeriesShapes();
    const first = shapes.identify('h', [{ metric: 'm', labels: { b: '2', a: '1' } }]).identities;
    const again = shapes.identify('h', [{ metric: 'm', labels: { a: '1', b: '2' } }]).identities;
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
      const [identity] = shapes.identify('h', [series]).identities;
      expect(identity).toEqual({ ...series, labelsKey: labelsKey(series.labels) });
    }
  });

  it('keeps hosts apart and follows series that moved position', () => {
    const shapes = new SeriesShapes();
    shapes.identify('h1', [{ metric: 'a', labels: {} }, { metric: 'b', labels: {} }]);
    const other = shapes.identify('h2', [{ metric: 'b', labels: {} }]).identities;
    const moved = shapes.identify('h1', [{ metric: 'b', labels: {} }, { metric: 'a', labels: {} }]).identities;
    expect(other.map((s) => s.metric)).toEqual(['b']);
    expect(moved.map((s) => s.metric)).toEqual(['b', 'a']);
  });

  it('finds a series repeated in a batch, and keeps finding it while the list is unchanged', () => {
    const shapes = new SeriesShapes();
    const list: { metric: string; labels: Labels }[] = [
      { metric: 'm', labels: { a: '1' } },
      { metric: 'n', labels: {} },
      { metric: 'm', labels: { a: '1' } },
    ];
    expect(shapes.identify('h', list).repeat).toEqual({ first: 0, again: 2 });
    expect(shapes.identify('h', list).repeat).toEqual({ first: 0, again: 2 });
    expect(shapes.identify('h', list.slice(0, 2)).repeat).toBeUndefined();
    expect(shapes.identify('h', [list[0]!, { metric: 'm', labels: { a: '2' } }]).repeat).toBeUndefined();
  });
});
