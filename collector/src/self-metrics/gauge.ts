import type { LabelValues } from './exposition.js';
import { SingleValueMetric, type MetricDefinition } from './single-value.js';

export interface GaugeDefinition<L extends string> extends MetricDefinition<L> {
  /**
   * Called before each scrape to set the values (pool sizes, outbox depth). The gauge is reset
   * first, so a label set that disappeared is not shown with an old value.
   */
  readonly collect?: (gauge: Gauge<L>) => Promise<void> | void;
}

/** A value that goes up and down, per label set. */
export class Gauge<L extends string = never> extends SingleValueMetric<L> {
  private readonly collectFn: GaugeDefinition<L>['collect'];

  constructor(definition: GaugeDefinition<L>) {
    super(definition, 'gauge');
    this.collectFn = definition.collect;
  }

  set(labels: LabelValues<L>, value: number): void {
    this.update(labels, () => value);
  }

  inc(labels: LabelValues<L> = {} as LabelValues<L>, by = 1): void {
    this.update(labels, (current) => current + by);
  }

  async collect(): Promise<void> {
    if (!this.collectFn) return;
    this.children.clear();
    await this.collectFn(this);
  }
}
