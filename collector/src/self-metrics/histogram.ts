import {
  checkNames,
  formatLabels,
  formatValue,
  header,
  keyOf,
  pairsOf,
  type LabelValues,
} from './exposition.js';
import type { MetricDefinition } from './single-value.js';

export interface HistogramDefinition<L extends string> extends MetricDefinition<L> {
  /** Upper bounds, growing; +Inf is added. */
  readonly buckets: readonly number[];
}

interface Child<L extends string> {
  readonly labels: LabelValues<L>;
  /** Per bucket, observations up to its bound (not cumulative; summed when rendered). */
  readonly counts: number[];
  sum: number;
  count: number;
}

/** Observations counted into fixed buckets, with their sum and count. */
export class Histogram<L extends string = never> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  readonly buckets: readonly number[];
  private readonly children = new Map<string, Child<L>>();

  constructor(definition: HistogramDefinition<L>) {
    this.name = definition.name;
    this.help = definition.help;
    this.labelNames = definition.labelNames ?? [];
    this.buckets = [...definition.buckets];
    checkNames(this.name, this.labelNames);
    const growing = this.buckets.every((bound, i) => i === 0 || bound > (this.buckets[i - 1] ?? 0));
    if (!growing || this.buckets.length === 0) {
      throw new Error(`histogram ${this.name}: buckets must be given and grow`);
    }
    if (this.labelNames.length === 0) this.childOf({} as LabelValues<L>);
  }

  observe(labels: LabelValues<L>, value: number): void {
    const child = this.childOf(labels);
    const index = this.buckets.findIndex((bound) => value <= bound);
    if (index >= 0) child.counts[index] = (child.counts[index] ?? 0) + 1;
    child.sum += value;
    child.count += 1;
  }

  count(labels: LabelValues<L> = {} as LabelValues<L>): number {
    return this.children.get(keyOf(this.labelNames, labels))?.count ?? 0;
  }

  render(): string {
    if (this.children.size === 0) return '';
    let text = header(this.name, this.help, 'histogram');
    for (const child of this.children.values()) {
      const pairs = pairsOf(this.labelNames, child.labels);
      let cumulative = 0;
      this.buckets.forEach((bound, i) => {
        cumulative += child.counts[i] ?? 0;
        const labels = formatLabels([...pairs, ['le', formatValue(bound)]]);
        text += `${this.name}_bucket${labels} ${cumulative}\n`;
      });
      text += `${this.name}_bucket${formatLabels([...pairs, ['le', '+Inf']])} ${child.count}\n`;
      text += `${this.name}_sum${formatLabels(pairs)} ${formatValue(child.sum)}\n`;
      text += `${this.name}_count${formatLabels(pairs)} ${child.count}\n`;
    }
    return text;
  }

  private childOf(labels: LabelValues<L>): Child<L> {
    const key = keyOf(this.labelNames, labels);
    let child = this.children.get(key);
    if (!child) {
      child = { labels: { ...labels }, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.children.set(key, child);
    }
    return child;
  }
}
