import { describe, expect, it } from 'vitest';

// Legend names and the sign-in message, from the dashboard's browser modules run in Node (as in
// dashboard-format.test.ts: imported by path, their DOM code is never called here).

const { legendNames } = await import(`${'../dashboard/legend.js'}`);
const { malformedTokenMessage } = await import(`${'../dashboard/sign-in.js'}`);

describe('legend names', () => {
  it('leaves unique names as they are, however their labels differ', () => {
    const series = [
      { name: 'used', labels: { role: 'api' } },
      { name: 'iowait', labels: { role: 'web' } },
    ];
    expect(legendNames(series)).toEqual(['used', 'iowait']);
  });

  it('adds the one label that differs between two series of the same name', () => {
    const series = [
      { name: 'used', labels: { env: 'simulated', role: 'api' } },
      { name: 'used', labels: { env: 'simulated', role: 'web' } },
      { name: 'steal', labels: { env: 'simulated', role: 'web' } },
    ];
    expect(legendNames(series)).toEqual(['used (role=api)', 'used (role=web)', 'steal']);
  });

  it('adds the two labels that differ among three, sorted by key, a missing one as "no KEY"', () => {
    const series = [
      { name: 'eth0 in', labels: { interface: 'eth0', role: 'api', zone: 'a' } },
      { name: 'eth0 in', labels: { interface: 'eth0', role: 'web', zone: 'a' } },
      { name: 'eth0 in', labels: { interface: 'eth0', role: 'web' } },
    ];
    expect(legendNames(series)).toEqual([
      'eth0 in (role=api, zone=a)',
      'eth0 in (role=web, zone=a)',
      'eth0 in (role=web, no zone)',
    ]);
  });

  it('numbers series whose label sets are identical, in the order given', () => {
    const series = [
      { name: 'memory', labels: { env: 'prod' } },
      { name: 'memory', labels: { env: 'prod' } },
      { name: 'swap', labels: { env: 'prod' } },
    ];
    expect(legendNames(series)).toEqual(['memory #1', 'memory #2', 'swap']);
  });

  it('numbers only the series still equal once labels are added', () => {
    const series = [
      { name: 'used', labels: { role: 'api' } },
      { name: 'used', labels: { role: 'web' } },
      { name: 'used', labels: { role: 'api' } },
    ];
    expect(legendNames(series)).toEqual(['used (role=api) #1', 'used (role=web)', 'used (role=api) #2']);
  });

  it('shortens long values and flattens line breaks, and reads only own label keys', () => {
    const series: { name: string; labels: Record<string, string> }[] = [
      { name: 'used', labels: { note: `first line\nsecond line of a long note` } },
      { name: 'used', labels: { constructor: 'x' } },
    ];
    expect(legendNames(series)).toEqual([
      'used (no constructor, note=first line second line…)',
      'used (constructor=x, no note)',
    ]);
  });
});

describe('the sign-in message for something that is not a token', () => {
  const secret = 'correct-horse-battery-staple';

  it('says what a token looks like and how long the pasted text is, never the text', () => {
    const message = malformedTokenMessage(secret);
    expect(message).toBe(
      'That is not a hostpulse token: a token starts with hp_ and is 46 characters long ' +
        '(this one is 28 characters and does not start with hp_).',
    );
    expect(message).not.toContain(secret);
  });

  it('names a bad character when prefix and length are right', () => {
    expect(malformedTokenMessage(`hp_${'a'.repeat(42)}!`)).toBe(
      'That is not a hostpulse token: a token starts with hp_ and is 46 characters long ' +
        '(this one is 46 characters and holds a character other than letters, digits, _ and -).',
    );
  });

  it('asks for a token when the field holds only spaces (trimmed to nothing)', () => {
    expect(malformedTokenMessage('')).toBe(
      'Paste a hostpulse token: a token starts with hp_ and is 46 characters long.',
    );
  });

  it('gives the length of a token cut short', () => {
    expect(malformedTokenMessage('hp_abc')).toBe(
      'That is not a hostpulse token: a token starts with hp_ and is 46 characters long (this one is 6 characters).',
    );
  });
});
