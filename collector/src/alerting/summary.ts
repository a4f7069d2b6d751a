import type { Severity } from './rule-config.js';

// Renders a rule's `summary:` template. Unknown fields were refused at load (validateRules), so
// a field missing here can only be a label the series does not carry: it renders empty.

export interface SummaryFields {
  readonly rule: string;
  readonly metric: string;
  readonly host: string;
  readonly value: number;
  readonly severity: Severity;
  readonly labels: Readonly<Record<string, string>>;
  /** A failing check's error text or "no data since …"; added after the text when set. */
  readonly detail?: string | null | undefined;
}

export const DEFAULT_SUMMARY = '{{metric}} is {{value}} on {{host}}';

const FIELD = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;

/** The template rendered; a detail the template does not place is added after a colon. */
export function renderSummary(template: string | undefined, fields: SummaryFields): string {
  const text = render(template ?? DEFAULT_SUMMARY, fields);
  const placed = /\{\{\s*detail\s*\}\}/.test(template ?? '');
  return fields.detail && !placed ? `${text}: ${fields.detail}` : text;
}

function render(template: string, fields: SummaryFields): string {
  return template.replace(FIELD, (_, name: string) => {
    if (name.startsWith('labels.')) return fields.labels[name.slice('labels.'.length)] ?? '';
    if (name === 'value') return formatValue(fields.value);
    if (name === 'detail') return fields.detail ?? '';
    const value = fields[name as 'rule' | 'metric' | 'host' | 'severity'];
    return typeof value === 'string' ? value : '';
  });
}

/** A value as people read it: 96.53, 1024, 0.005; never 96.53333333333. */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 1 : abs >= 1 ? 2 : 4;
  return String(Number(value.toFixed(digits)));
}
