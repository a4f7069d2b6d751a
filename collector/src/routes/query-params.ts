import { formatDuration, HostpulseError, parseDuration, quote } from '@hostpulse/shared';

// Parsing of the /api/v1/query parameters that JSON Schema can only check for shape: times and
// steps. Each failure names the parameter and quotes what was sent.

const EPOCH_MS = /^\d{1,15}$/;
const RFC_3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;
const MONTH_NAMES = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
] as const;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;
const DEFAULT_RANGE_MS = 3_600_000;
const LABEL_PREFIX = 'label.';

/**
 * Epoch milliseconds or RFC 3339 with a zone, like 2026-12-04T15:00:00Z. `place` words where
 * the value came from in the error (`body` for a request body field).
 */
export function parseTime(name: string, text: string, place = 'query parameter'): number {
  if (EPOCH_MS.test(text)) return Number(text);
  const parts = RFC_3339.exec(text);
  // Checked before Date.parse, which rolls an impossible day over (2026-02-30 becomes
  // 2026-03-02, T24:00 the next day): a typo would otherwise query another range in silence.
  const missing = parts === null ? undefined : missingPart(parts);
  if (missing !== undefined) {
    throw new HostpulseError(
      'bad_request',
      `${place} ${name}: ${quote(text)} is a date that does not exist (${missing})`,
    );
  }
  const ms = parts === null ? Number.NaN : Date.parse(text);
  if (Number.isNaN(ms)) {
    throw new HostpulseError(
      'bad_request',
      `${place} ${name}: ${quote(text)} is not a time ` +
        '(write epoch milliseconds or RFC 3339 like 2026-12-04T15:00:00Z)',
    );
  }
  return ms;
}

/** What makes the fields of an RFC 3339 time impossible, or undefined when they are all real. */
function missingPart(parts: RegExpExecArray): string | undefined {
  // Groups 7 and 8, the zone offset, are absent for Z.
  const field = (group: number): number => Number(parts[group] ?? 0);
  const month = field(2);
  if (month < 1 || month > 12) return `there is no month ${parts[2]}`;
  const days = daysInMonth(field(1), month);
  const day = field(3);
  if (day < 1 || day > days) return `${MONTH_NAMES[month - 1]} ${parts[1]} has ${days} days`;
  // RFC 3339 has no hour 24; a leap second (:60) has no place in a millisecond timestamp.
  if (field(4) > 23) return 'hours run from 00 to 23';
  if (field(5) > 59) return 'minutes run from 00 to 59';
  if (field(6) > 59) return 'seconds run from 00 to 59';
  if (field(7) > 23 || field(8) > 59) return 'zone offsets run from -23:59 to +23:59';
  return undefined;
}

function daysInMonth(year: number, month: number): number {
  if (month !== 2) return DAYS_IN_MONTH[month - 1] ?? 0;
  const isLeapYear = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return isLeapYear ? 29 : 28;
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
  // Past 2^53 a number of milliseconds is no longer exact; the storage would refuse it in its
  // own words, without naming the parameter or quoting what was sent.
  if (!Number.isSafeInteger(ms)) {
    throw new HostpulseError(
      'bad_request',
      `query parameter step: ${quote(text)} is too long (at most ${Number.MAX_SAFE_INTEGER} ms)`,
    );
  }
  return ms;
}

/**
 * Refuses a step longer than the range. A point is stamped at the start of its step, counted
 * from the epoch (floor(t / step) × step), so a step past the range stamps the range's one point
 * before `from`, as far back as 1970 for a step of millennia. A step no longer than the range
 * keeps the first point within one step before `from`, as a chart drawn from `from` expects.
 * This also refuses absurd steps: none is longer than the widest range a query can name.
 */
export function checkStepWithinRange(step: string, stepMs: number, range: TimeRange): void {
  const rangeMs = range.toMs - range.fromMs;
  if (stepMs <= rangeMs) return;
  const span = `${new Date(range.fromMs).toISOString()} to ${new Date(range.toMs).toISOString()}`;
  const advice =
    rangeMs > 0
      ? `use a step of at most ${formatDuration(rangeMs)} or a longer range`
      : 'leave step out to get the raw samples at that time, or widen the range';
  throw new HostpulseError(
    'bad_request',
    `query parameter step: ${quote(step)} is longer than the range ` +
      `(${formatDuration(rangeMs)}, ${span}); ${advice}`,
  );
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
