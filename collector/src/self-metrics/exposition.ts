// The Prometheus text exposition format, version 0.0.4: the few escaping and number rules that
// every metric type shares. A scraper rejects the whole page on one bad line, so they live here.

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export type LabelValues<L extends string> = Readonly<Record<L, string>>;

/** Throws on a name Prometheus would refuse: a coding mistake, found when the metric is made. */
export function checkNames(name: string, labelNames: readonly string[]): void {
  if (!METRIC_NAME.test(name)) throw new Error(`metric name ${JSON.stringify(name)} is not valid`);
  for (const label of labelNames) {
    if (!LABEL_NAME.test(label) || label.startsWith('__') || label === 'le') {
      throw new Error(`metric ${name}: label name ${JSON.stringify(label)} is not valid`);
    }
  }
}

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** `{a="x",b="y"}`, or nothing when there are no labels. */
export function formatLabels(pairs: readonly (readonly [string, string])[]): string {
  if (pairs.length === 0) return '';
  const body = pairs.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(',');
  return `{${body}}`;
}

export function header(name: string, help: string, type: string): string {
  const escaped = help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return `# HELP ${name} ${escaped}\n# TYPE ${name} ${type}\n`;
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** A child's key in a metric's map: label values in the declared order. */
export function keyOf<L extends string>(labelNames: readonly L[], labels: LabelValues<L>): string {
  return JSON.stringify(labelNames.map((name) => labels[name] ?? ''));
}

export function pairsOf<L extends string>(
  labelNames: readonly L[],
  labels: LabelValues<L>,
): [string, string][] {
  return labelNames.map((name) => [name, labels[name] ?? '']);
}
