// /proc/meminfo (proc(5)): `Name:   value kB` lines; a few (HugePages_Total) are bare counts.

/** Every field, with `kB` values turned into bytes (the kernel's kB is 1024 bytes). */
export function parseMeminfo(text: string): Map<string, number> {
  const fields = new Map<string, number>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const rest = line.slice(colon + 1).trim();
    const space = rest.indexOf(' ');
    const value = Number(space === -1 ? rest : rest.slice(0, space));
    // A line we cannot read is left out; the sampler asks only for the fields it needs and
    // says which one is missing.
    if (rest === '' || !Number.isFinite(value)) continue;
    fields.set(line.slice(0, colon), rest.endsWith('kB') ? value * 1024 : value);
  }
  return fields;
}

export interface MemoryFigures {
  readonly totalBytes: number;
  readonly availableBytes: number;
  readonly swapTotalBytes: number;
  readonly swapFreeBytes: number;
}

/** The figures the memory sampler reports, or undefined without MemTotal and MemFree. */
export function memoryFigures(fields: ReadonlyMap<string, number>): MemoryFigures | undefined {
  const total = fields.get('MemTotal');
  const free = fields.get('MemFree');
  if (total === undefined || free === undefined) return undefined;
  const available = fields.get('MemAvailable');
  return {
    totalBytes: total,
    // Kernels before 3.14 have no MemAvailable. Free + Buffers + Cached is the usual estimate
    // from before then: it overstates a little, as not all page cache can be dropped.
    availableBytes: available ?? free + (fields.get('Buffers') ?? 0) + (fields.get('Cached') ?? 0),
    swapTotalBytes: fields.get('SwapTotal') ?? 0,
    swapFreeBytes: fields.get('SwapFree') ?? 0,
  };
}
