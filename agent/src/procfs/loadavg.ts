// /proc/loadavg (proc(5)): `0.52 1.25 2.50 3/512 12345`, the 1, 5 and 15 minute averages first.

export interface LoadAverages {
  readonly load1m: number;
  readonly load5m: number;
  readonly load15m: number;
}

export function parseLoadavg(text: string): LoadAverages | undefined {
  const [one, five, fifteen] = text.trim().split(' ', 3).map(Number);
  if (one === undefined || five === undefined || fifteen === undefined) return undefined;
  if (![one, five, fifteen].every((v) => Number.isFinite(v) && v >= 0)) return undefined;
  return { load1m: one, load5m: five, load15m: fifteen };
}
