import { describe, expect, it } from 'vitest';
import { originOnly, safeUrl } from './safe-url.js';

describe('safeUrl', () => {
  it('drops user info, query and fragment', () => {
    expect(safeUrl('postgres://app:s3cret@db.example:5432/app?sslmode=require#x')).toBe('postgres://***@db.example:5432/app');
  });

  it('says so when it cannot parse', () => {
    expect(safeUrl('not a url')).toBe('(unparsable URL)');
  });

  it('keeps only the origin of a webhook URL, whose path is the secret', () => {
    expect(originOnly('https://hooks.slack.com/services/T0/B0/XYZ')).toBe('https://hooks.slack.com');
  });
});
