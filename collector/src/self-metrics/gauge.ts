import {
  checkNames,
  formatLabels,
  formatValue,
  header,
  keyOf,
  pairsOf,
  type LabelValues,
} from './exposition.js';
import type { MetricDefinition } from './counter.js';

export interface GaugeDefinition<L extends string> extends MetricDefinition<L> {
  /**
   * Called before each scrape to set the values (pool sizes, outbox depth). The gauge is reset
   * first, so a label set that disappeared is not shown with an old value.
   */
  readonly collect?: (gauge: Gauge<L>) => Promise<void> | void;
}

/** A value that goes up and down, per label set. */
export class Gauge<L extends string = never> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  private readonly collectFn: GaugeDefinition<L>['collect'];
  private readonly children = new Map<string, { labels: LabelValues<L>; value: number }>();

  constructor(definition: GaugeDefinition<L>) {
    this.name = definition.name;
    this.help = definition.help;
    this.labelNames = definition.labelNames ?? [];
    this.collectFn = definition.collect;
    checkNames(this.name, this.labelNames);
  }

  set(labels: LabelValues<L>, value: number): void {
    const key = keyOf(this.labelNames, labels);
    const child = this.children.get(key);
    if (child) child.value = value;
    else this.children.set(key, { labels: { ...labels }, value });
  }

  inc(labels: LabelValues<L> = {} as LabelValues<L>, by = 1): void {
    this.set(labels, this.value(labels) + by);
  }

  value(labels: LabelValues<L> = {} as LabelValues<L>): number {
    return this.children.get(keyOf(this.labelNames, labels))?.value ?? 0;
  }

  async collect(): Promise<void> {
    if (!this.collectFn) return;
    this.children.clear();
    await this.collectFn(this);
  }

  render(): string {
    if (this.children.size === 0) return '';
    let text = header(this.name, this.help, 'gauge');
    for (const { labels, value } of this.children.values()) {
      const pairs = pairsOf(this.labelNames, labels);
      text += `${this.name}${formatLabels(pairs)} ${formatValue(value)}\n`;
    }
    return text;
  }
}
