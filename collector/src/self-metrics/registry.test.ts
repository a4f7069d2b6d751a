import { describe, expect, it } from 'vitest';
import { MetricRegistry } from './registry.js';

describe('MetricRegistry', () => {
  it('renders counters, gauges and cumulative histogram buckets in the text format', async () => {
    const registry = new MetricRegistry();
    const counter = registry.counter({ name: 'x_total', help: 'Xs.', labelNames: ['reason'] });
    counter.inc({ reason: 'say "hi"\\now\n' }, 2);
    registry.gauge({ name: 'depth', help: 'Depth.', collect: (g) => g.set({}, 7) });
    const histogram = registry.histogram({ name: 'wait_seconds', help: 'Waits.', buckets: [0.1, 1] });
    histogram.observe({}, 0.05);
    histogram.observe({}, 0.5);
    histogram.observe({}, 5);

    expect(await registry.render()).toBe(
      [
        '# HELP x_total Xs.',
        '# TYPE x_total counter',
        'x_total{reason="say \\"hi\\"\\\\now\\n"} 2',
        '# HELP depth Depth.',
        '# TYPE depth gauge',
        'depth 7',
        '# HELP wait_seconds Waits.',
        '# TYPE wait_seconds histogram',
        'wait_seconds_bucket{le="0.1"} 1',
        'wait_seconds_bucket{le="1"} 2',
        'wait_seconds_bucket{le="+Inf"} 3',
        'wait_seconds_sum 5.55',
        'wait_seconds_count 3',
        '',
      ].join('\n'),
    );
  });

  it('leaves out a gauge whose read failed, and refuses names Prometheus would refuse', async () => {
    const registry = new MetricRegistry();
    registry.gauge({ name: 'broken', help: 'B.', collect: () => Promise.reject(new Error('down')) });
    registry.counter({ name: 'ok_total', help: 'Ok.' });
    const warnings: object[] = [];
    const text = await registry.render({ warn: (fields) => void warnings.push(fields) });
    expect(text).toBe('# HELP ok_total Ok.\n# TYPE ok_total counter\nok_total 0\n');
    expect(warnings).toHaveLength(1);
    expect(() => registry.counter({ name: 'ok_total', help: 'again' })).toThrow('registered twice');
    expect(() => registry.counter({ name: 'requests', help: 'R.' })).toThrow('must end in _total');
    expect(() => registry.gauge({ name: 'a-b', help: 'A.' })).toThrow('is not valid');
    expect(() => registry.gauge({ name: 'a', help: 'A.', labelNames: ['le'] })).toThrow('not valid');
  });
});
