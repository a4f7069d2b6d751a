import type { LabelValues } from './exposition.js';
import { SingleValueMetric, type MetricDefinition } from './single-value.js';

/** A value that only goes up, per label set; its name ends in _total (Prometheus convention). */
export class Counter<L extends string = never> extends SingleValueMetric<L> {
  constructor(definition: MetricDefinition<L>) {
    super(definition, 'counter');
    if (!this.name.endsWith('_total')) throw new Error(`counter ${this.name} must end in _total`);
    if (this.labelNames.length === 0) this.inc({} as LabelValues<L>, 0);
  }

  inc(labels: LabelValues<L> = {} as LabelValues<L>, by = 1): void {
    if (!(by >= 0)) throw new Error(`counter ${this.name} cannot go down (inc by ${by})`);
    this.update(labels, (current) => current + by);
  }

  /** Zero children for label sets known in advance, so a rate() over them starts at 0. */
  init(labelSets: readonly LabelValues<L>[]): this {
    for (const labels of labelSets) this.inc(labels, 0);
    return this;
  }
}
