import { randomBytes } from 'node:crypto';

// Outbox row ids that sort as they were made (UUID version 7: milliseconds, then a counter,
// then random bits). Rows made in one millisecond share created_ms, and PostgreSQL keeps no
// insertion order, so the id is what lists a combined message's alerts in the order they came.

let lastMs = 0;
let counter = 0;
const MAX_COUNTER = 0xfff;

export function orderedId(nowMs: number = Date.now()): string {
  if (nowMs > lastMs) {
    lastMs = nowMs;
    counter = 0;
  } else if (counter < MAX_COUNTER) {
    counter += 1;
  } else {
    // 4096 ids in one millisecond: borrow the next one, so the order still holds.
    lastMs += 1;
    counter = 0;
  }
  const bytes = randomBytes(16);
  bytes.writeUIntBE(lastMs, 0, 6);
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  const parts = [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20)];
  return [...parts, hex.slice(20)].join('-');
}

/** Claimed outbox rows in the order they became due, then were made. */
export function byDueThenMade<T extends { dueMs: number; createdMs: number; id: string }>(
  a: T,
  b: T,
): number {
  return a.dueMs - b.dueMs || a.createdMs - b.createdMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
