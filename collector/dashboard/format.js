// Numbers, sizes, rates and times as an operator reads them. Every function takes a value that
// may be missing (undefined or null) and then shows a dash.

const DASH = '—';
const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

const isNumber = (value) => typeof value === 'number' && Number.isFinite(value);

export function percent(value) {
  if (!isNumber(value)) return DASH;
  return `${value.toFixed(Number.isInteger(value) || value >= 99.95 ? 0 : 1)} %`;
}

export function number(value, digits = 2) {
  if (!isNumber(value)) return DASH;
  // Through Number again so 1.50 reads 1.5 and 2.00 reads 2.
  return Math.abs(value) >= 100 ? value.toFixed(0) : String(Number(value.toFixed(digits)));
}

export function bytes(value) {
  if (!isNumber(value)) return DASH;
  let scaled = value;
  let unit = 0;
  while (Math.abs(scaled) >= 1024 && unit < BINARY_UNITS.length - 1) {
    scaled /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? scaled.toFixed(0) : scaled.toFixed(scaled >= 100 ? 0 : 1)} ${BINARY_UNITS[unit]}`;
}

export function bytesPerSecond(value) {
  return isNumber(value) ? `${bytes(value)}/s` : DASH;
}

/** 45 s, 12 min, 3 h 5 min, 2 d 4 h. */
export function duration(seconds) {
  if (!isNumber(seconds)) return DASH;
  const s = Math.max(0, Math.round(seconds));
  if (s < 90) return `${s} s`;
  const minutes = Math.round(s / 60);
  if (minutes < 90) return `${minutes} min`;
  const hours = Math.floor(s / 3600);
  if (hours < 48) return `${hours} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

export function ago(timeMs, nowMs) {
  if (!isNumber(timeMs)) return DASH;
  const seconds = (nowMs - timeMs) / 1000;
  return seconds < 1 ? 'now' : `${duration(seconds)} ago`;
}

const timeOfDay = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayAndTime = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const withSeconds = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const full = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export function clock(timeMs) {
  return isNumber(timeMs) ? timeOfDay.format(timeMs) : DASH;
}

export function clockSeconds(timeMs) {
  return isNumber(timeMs) ? withSeconds.format(timeMs) : DASH;
}

export function dayClock(timeMs) {
  return isNumber(timeMs) ? dayAndTime.format(timeMs) : DASH;
}

export function dateTime(timeMs) {
  return isNumber(timeMs) ? full.format(timeMs) : DASH;
}

/** The class a percentage of use gets: ok, warn from 80, crit from 90. */
export function level(value) {
  if (!isNumber(value)) return 'none';
  if (value >= 90) return 'crit';
  if (value >= 80) return 'warn';
  return 'ok';
}
