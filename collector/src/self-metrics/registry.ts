import { Counter } from './counter.js';
import type { MetricDefinition } from './single-value.js';
import { Gauge, type GaugeDefinition } from './gauge.js';
import { Histogram, type HistogramDefinition } from './histogram.js';

// The collector's own metrics, served on GET /metrics. A small registry of our own rather than
// prom-client: three metric types and the text format are all the collector needs. Parts of
// the collector get the registry (or the handles of collector-metrics.ts) passed in; nothing
// registers itself on import.

/** Where a failed read is reported: a pino logger, the request's or the root one. */
interface WarnLog {
  warn(fields: object, message: string): void;
}

/** What the registry needs of a metric: its name, its text, and maybe a read before it. */
interface Metric {
  readonly name: string;
  render(): string;
  collect?(): Promise<void>;
}

export class MetricRegistry {
  private readonly metrics = new Map<string, Metric>();

  counter<L extends string = never>(definition: MetricDefinition<L>): Counter<L> {
    return this.add(new Counter<L>(definition));
  }

  gauge<L extends string = never>(definition: GaugeDefinition<L>): Gauge<L> {
    return this.add(new Gauge<L>(definition));
  }

  histogram<L extends string = never>(definition: HistogramDefinition<L>): Histogram<L> {
    return this.add(new Histogram<L>(definition));
  }

  /**
   * The whole page in the text format. A gauge whose collect() fails (the database is away) is
   * left out of this page and logged; the other metrics are still served.
   */
  async render(log?: WarnLog): Promise<string> {
    const collecting = [...this.metrics.values()].map(async (metric) => {
      if (!metric.collect) return true;
      try {
        await metric.collect();
        return true;
      } catch (err) {
        log?.warn({ err, metric: metric.name }, 'self-metric not collected');
        return false;
      }
    });
    const collected = await Promise.all(collecting);
    const metrics = [...this.metrics.values()];
    return metrics.map((metric, i) => (collected[i] ? metric.render() : '')).join('');
  }

  private add<M extends Metric>(metric: M): M {
    if (this.metrics.has(metric.name)) throw new Error(`metric ${metric.name} is registered twice`);
    this.metrics.set(metric.name, metric);
    return metric;
  }
}
