// Turning kernel counters into increases, for every rate the agent computes (cpu shares use
// their own rule in stat.ts). Counters only grow, except:
// - wrap: a 32-bit counter passes 2^32 and starts again near 0. Some network drivers still keep
//   32-bit counters, 32-bit kernels print `unsigned long` fields of /proc/diskstats as 32 bits,
//   and io_ticks in /proc/diskstats is printed through jiffies_to_msecs(), an unsigned int, so
//   it wraps every 49.7 days even on 64-bit kernels.
// - reset: the device or interface went away and came back (driver reload, USB disk replugged,
//   container veth re-created), its counters starting from 0 again.
//
// Rule: a drop counts as a 32-bit wrap only when the previous value was in the upper half of
// the 32-bit range and the increase across the wrap is plausible (at most maxIncrease and less
// than 2^31); any other drop is a reset and gives no increase for that interval, since the time
// at which the counter restarted is unknown. A rise larger than maxIncrease (a device replaced
// by another with bigger counters) also gives no increase. The next interval is normal again.
// 64-bit counters are treated as never wrapping: at 100 GB/s a byte counter needs 5.8 years to
// wrap, and JavaScript numbers cannot hold values near 2^64 exactly anyway.

const WRAP_32 = 2 ** 32;
const HALF_32 = 2 ** 31;

/** The increase from previous to current, or undefined when it is not known (reset, implausible). */
export function counterIncrease(previous: number, current: number, maxIncrease: number): number | undefined {
  if (current >= previous) {
    const increase = current - previous;
    return increase <= maxIncrease ? increase : undefined;
  }
  if (previous >= HALF_32 && previous < WRAP_32) {
    const increase = WRAP_32 - previous + current;
    if (increase <= maxIncrease && increase < HALF_32) return increase;
  }
  return undefined;
}

/**
 * Per-second rate of a counter read twice elapsedMs apart, or undefined when the increase is
 * not known (see counterIncrease) or the clock did not move forward. maxPerSecond bounds a
 * plausible rate for this kind of counter.
 */
export function counterRate(
  previous: number,
  current: number,
  elapsedMs: number,
  maxPerSecond: number,
): number | undefined {
  if (!(elapsedMs > 0)) return undefined;
  const increase = counterIncrease(previous, current, (maxPerSecond * elapsedMs) / 1000);
  return increase === undefined ? undefined : (increase * 1000) / elapsedMs;
}
