import {
  checkNames,
  formatLabels,
  formatValue,
  header,
  keyOf,
  pairsOf,
  type LabelValues,
} from './exposition.js';

export interface MetricDefinition<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly L[];
}

/**
 * One number per label set, rendered as one line each: what counters and gauges have in
 * common. Subclasses decide how the number may change.
 */
export abstract class SingleValueMetric<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  protected readonly children = new Map<string, { labels: LabelValues<L>; value: number }>();

  constructor(
    definition: MetricDefinition<L>,
    private readonly type: 'counter' | 'gauge',
  ) {
    this.name = definition.name;
    this.help = definition.help;
    this.labelNames = definition.labelNames ?? [];
    checkNames(this.name, this.labelNames);
  }

  value(labels: LabelValues<L> = {} as LabelValues<L>): number {
    return this.children.get(keyOf(this.labelNames, labels))?.value ?? 0;
  }

  render(): string {
    if (this.children.size === 0) return '';
    let text = header(this.name, this.help, this.type);
    for (const { labels, value } of this.children.values()) {
      const pairs = pairsOf(this.labelNames, labels);
      text += `${this.name}${formatLabels(pairs)} ${formatValue(value)}\n`;
    }
    return text;
  }

  /** Sets the value of a label set to what `next` makes of the current one (0 if new). */
  protected update(labels: LabelValues<L>, next: (current: number) => number): void {
    const key = keyOf(this.labelNames, labels);
    const child = this.children.get(key);
    if (child) child.value = next(child.value);
    else this.children.set(key, { labels: { ...labels }, value: next(0) });
  }
}
