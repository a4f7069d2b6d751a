import { describe, expect, it } from 'vitest';
import { orderedId } from './ordered-id.js';

describe('ordered outbox ids', () => {
  it('sort in the order they were made, within one millisecond too', () => {
    const ids = Array.from({ length: 5000 }, () => orderedId(1_000));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
