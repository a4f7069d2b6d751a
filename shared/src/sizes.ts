// Sizes as the config files write them: 512KiB, 1MiB, 256MiB, 1GB (binary and decimal units).
const UNIT_BYTES: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

export const SIZE_PATTERN = '^\\s*\\d+(\\.\\d+)?\\s*([kKmMgGtT]i?[bB]|[bB])\\s*$';
const shape = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)\s*$/i;

/** Returns bytes, or undefined when the text is not a size. */
export function parseSize(text: string): number | undefined {
  const match = shape.exec(text);
  if (!match) return undefined;
  const [, amount, unit] = match;
  return Math.round(Number(amount) * (UNIT_BYTES[(unit as string).toLowerCase()] as number));
}

export function formatSize(bytes: number): string {
  for (const unit of ['TiB', 'GiB', 'MiB', 'KiB'] as const) {
    const size = UNIT_BYTES[unit.toLowerCase()] as number;
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return `${bytes}B`;
}
