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

/** A value that only goes up, per label set; its name ends in _total (Prometheus convention). */
export class Counter<L extends string = never> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  private readonly children = new Map<string, { labels: LabelValues<L>; value: number }>();

  constructor(definition: MetricDefinition<L>) {
    this.name = definition.name;
    this.help = definition.help;
    this.labelNames = definition.labelNames ?? [];
    checkNames(this.name, this.labelNames);
    if (!this.name.endsWith('_total')) throw new Error(`counter ${this.name} must end in _total`);
    if (this.labelNames.length === 0) this.inc({} as LabelValues<L>, 0);
  }

  inc(labels: LabelValues<L> = {} as LabelValues<L>, by = 1): void {
    if (!(by >= 0)) throw new Error(`counter ${this.name} cannot go down (inc by ${by})`);
    const key = keyOf(this.labelNames, labels);
    const child = this.children.get(key);
    if (child) child.value += by;
    else this.children.set(key, { labels: { ...labels }, value: by });
  }

  /** Zero children for label sets known in advance, so a rate() over them starts at 0. */
  init(labelSets: readonly LabelValues<L>[]): this {
    for (const labels of labelSets) this.inc(labels, 0);
    return this;
  }

  value(labels: LabelValues<L> = {} as LabelValues<L>): number {
    return this.children.get(keyOf(this.labelNames, labels))?.value ?? 0;
  }

  render(): string {
    if (this.children.size === 0) return '';
    let text = header(this.name, this.help, 'counter');
    for (const { labels, value } of this.children.values()) {
      const pairs = pairsOf(this.labelNames, labels);
      text += `${this.name}${formatLabels(pairs)} ${formatValue(value)}\n`;
    }
    return text;
  }
}
