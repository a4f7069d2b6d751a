import { HostpulseError, parseDuration, quote } from '@hostpulse/shared';

// Parsing of the /api/v1/query parameters that JSON Schema can only check for shape: times and
// steps. Each failure names the parameter and quotes what was sent.

const EPOCH_MS = /^\d{1,15}$/;
const RFC_3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const DEFAULT_RANGE_MS = 3_600_000;
const LABEL_PREFIX = 'label.';

/**
 * Epoch milliseconds or RFC 3339 with a zone, like 2026-12-04T15:00:00Z. `place` words where
 * the value came from in the error (`body` for a request body field).
 */
export function parseTime(name: string, text: string, place = 'query parameter'): number {
  if (EPOCH_MS.test(text)) return Number(text);
  const ms = RFC_3339.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new HostpulseError(
      'bad_request',
      `${place} ${name}: ${quote(text)} is not a time ` +
        '(write epoch milliseconds or RFC 3339 like 2026-12-04T15:00:00Z)',
    );
  }
  return ms;
}

/** A duration (30s, 5m, 1h) or a number of milliseconds; must be above zero. */
export function parseStep(text: string): number {
  const ms = /^\d+$/.test(text) ? Number(text) : parseDuration(text);
  if (ms === undefined || !(ms > 0)) {
    throw new HostpulseError(
      'bad_request',
      `query parameter step: ${quote(text)} is not a positive duration (write 30s, 5m or 60000)`,
    );
  }
  return ms;
}

/**
 * Refuses a step that cuts the range into more steps than one answer may hold, before the
 * database is asked (the storage would refuse it too, but only after reading).
 */
export function checkStepCount(step: string, rangeMs: number, stepMs: number, maxPoints: number): void {
  if (rangeMs / stepMs <= maxPoints) return;
  throw new HostpulseError(
    'bad_request',
    `query parameter step: ${quote(step)} gives more than ${maxPoints} points over this range ` +
      '(use a longer step or a shorter range)',
  );
}

export interface TimeRange {
  readonly fromMs: number;
  readonly toMs: number;
}

/** `to` defaults to now and `from` to an hour before `to`. */
export function parseRange(
  from: string | undefined,
  to: string | undefined,
  nowMs: number,
): TimeRange {
  const toMs = to === undefined ? nowMs : parseTime('to', to);
  const fromMs = from === undefined ? toMs - DEFAULT_RANGE_MS : parseTime('from', from);
  if (fromMs > toMs) {
    const toText = new Date(toMs).toISOString();
    throw new HostpulseError('bad_request', `query parameter from: ${quote(from)} is after to (${toText})`);
  }
  return { fromMs, toMs };
}

/** Label matchers from `label.KEY=value` parameters. */
export function labelMatchers(query: Readonly<Record<string, unknown>>): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    if (key.startsWith(LABEL_PREFIX) && typeof value === 'string') {
      labels[key.slice(LABEL_PREFIX.length)] = value;
    }
  }
  return labels;
}
