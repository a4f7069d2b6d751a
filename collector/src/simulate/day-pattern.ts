import { smoothNoise } from './noise.js';

// The daily rhythm of a host's load: quiet at night, a climb in the morning, a plateau through
// the working day with a lunch dip, a smaller evening bump. Each host has its own timezone
// offset and amplitude, so a fleet's curves do not move in lockstep.

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export interface DayShape {
  /** Hours added to UTC to get the host's local time (whole hours, -12 to +12). */
  readonly utcOffsetHours: number;
  /** Activity at night, 0–1. */
  readonly floor: number;
  /** Activity at the busiest hour, 0–1, above floor. */
  readonly peak: number;
}

/** The host's local hour of the day, 0 ≤ h < 24, fractional. */
export function localHour(tMs: number, shape: DayShape): number {
  const local = tMs + shape.utcOffsetHours * HOUR_MS;
  return (((local % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
}

/** Activity between floor and peak at a time, without noise. */
export function dayActivity(tMs: number, shape: DayShape): number {
  const hour = localHour(tMs, shape);
  const level = Math.min(1, busyness(hour));
  return shape.floor + (shape.peak - shape.floor) * level;
}

/** Activity with short-term noise (a few percent, changing every minute) on top. */
export function noisyActivity(tMs: number, shape: DayShape, seed: number, key: number): number {
  const minutes = smoothNoise(seed, key, tMs, 60_000) * 0.06;
  const seconds = smoothNoise(seed, key + 1, tMs, 7_000) * 0.03;
  const wiggle = minutes + seconds;
  return Math.min(1, Math.max(0, dayActivity(tMs, shape) + wiggle));
}

/** 0 at 03:00, about 1 from 10:00 to 17:00, a dip at 12:30, 0.45 at 21:00. */
function busyness(hour: number): number {
  const morning = bump(hour, 13.5, 5);
  const lunchDip = 0.15 * bump(hour, 12.5, 0.7);
  const evening = 0.35 * bump(hour, 21, 1.6);
  return Math.max(0, morning - lunchDip + evening);
}

/** A smooth hill of height 1 centred on `centre`, wide `width` hours on each side. */
function bump(hour: number, centre: number, width: number): number {
  // Measured round the clock, so 23:30 and 00:30 lie an hour apart and midnight has no step.
  const apart = Math.abs(hour - centre);
  const distance = Math.min(apart, 24 - apart) / width;
  return Math.exp(-0.5 * distance * distance * (Math.abs(distance) > 1 ? 1.6 : 0.4));
}
