// Deterministic noise for the simulated fleet. Every value is a pure function of the seed, the
// host, the series and the time, so a backfill and a real-time run with one seed agree, a test
// can predict any sample, and nothing has to be remembered between cycles for 10,000 hosts.

/** A 32-bit avalanche hash of up to four integers (a splitmix/murmur finaliser). */
export function hash32(a: number, b = 0, c = 0, d = 0): number {
  let h = (a ^ 0x9e3779b9) >>> 0;
  for (const part of [b, c, d]) {
    h = Math.imul(h ^ (part >>> 0), 0x85ebca6b) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return h;
}

/** A uniform number in [0, 1) from the same inputs as hash32. */
export function unit(a: number, b = 0, c = 0, d = 0): number {
  return hash32(a, b, c, d) / 4_294_967_296;
}

/** Roughly normal noise (mean 0, standard deviation about 1): the sum of three uniforms. */
export function gaussian(a: number, b: number, c: number, d: number): number {
  const sum = unit(a, b, c, d) + unit(a + 1, b, c, d) + unit(a + 2, b, c, d);
  return (sum - 1.5) * 2;
}

/**
 * Noise that wanders smoothly: values at whole steps of `stepMs` are random, in between they are
 * blended, so memory or traffic drifts instead of jumping every cycle.
 */
export function smoothNoise(seed: number, key: number, tMs: number, stepMs: number): number {
  const position = tMs / stepMs;
  const step = Math.floor(position);
  const fraction = position - step;
  const blend = fraction * fraction * (3 - 2 * fraction);
  const from = unit(seed, key, step) * 2 - 1;
  const to = unit(seed, key, step + 1) * 2 - 1;
  return from + (to - from) * blend;
}

/** A stable integer for a string (metric or host name), to key the noise. */
export function keyOf(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h;
}
