// What a child of `npm start` wrote to its log since it was started, cut to the lines that say
// why it stopped, so that the user reads the reason where npm start says it stopped.
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';

// pino writes levels as numbers.
const LEVEL_NAMES = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
// A long run at debug writes a lot; the reason is at the end.
const MAX_READ_BYTES = 64 * 1024;
const MAX_LINE = 300;

/** Where the log ends now: logTail() from here reads only what a child started next wrote. */
export function logEnd(file) {
  return existsSync(file) ? statSync(file).size : 0;
}

function readFrom(file, offset) {
  const size = logEnd(file);
  const start = Math.max(offset, size - MAX_READ_BYTES);
  if (size <= start) return '';
  const buffer = Buffer.alloc(size - start);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buffer, 0, buffer.length, start);
  } finally {
    closeSync(fd);
  }
  return buffer.toString('utf8');
}

function cut(text) {
  return text.length > MAX_LINE ? `${text.slice(0, MAX_LINE)}…` : text;
}

/** A pino line as `level: message: reason or error message`; any other line as it is. */
function readable(line) {
  if (!line.startsWith('{')) return cut(line);
  let entry;
  try {
    entry = JSON.parse(line);
  } catch {
    // A line cut short (the process died while writing it) still says something as it is.
    return cut(line);
  }
  const level = LEVEL_NAMES[entry.level] ?? String(entry.level);
  // The collector logs an error it explains itself as `reason`, any other as `err`.
  const why = typeof entry.err?.message === 'string' ? entry.err.message : entry.reason;
  const error = typeof why === 'string' ? `: ${why}` : '';
  return cut(`${level}: ${entry.msg ?? ''}${error}`);
}

/** The last `count` lines written from `offset` on, without stack frames and blank lines. */
export function logTail(file, offset, count = 5) {
  const lines = readFrom(file, offset)
    .split('\n')
    .filter((line) => line.trim() !== '' && !/^\s+at /.test(line));
  return lines.slice(-count).map(readable);
}

/** `what` (the child stopped), then the end of its log; `name`: the log as the user knows it. */
export function withLogTail(what, file, name, offset) {
  const tail = logTail(file, offset);
  if (tail.length === 0) return `${what}; ${name} has nothing from this start`;
  return `${what}; the end of ${name}:\n${tail.map((line) => `  ${line}`).join('\n')}`;
}
