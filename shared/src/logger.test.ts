import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

// What an error looks like in the JSON log: pino's serializer, with each cause's message said once.

function logged(err: unknown): Record<string, unknown> {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  createLogger({ name: 'test', destination }).error({ err }, 'failed');
  return JSON.parse(lines[0] as string).err as Record<string, unknown>;
}

describe('errors in the log', () => {
  it('does not repeat a cause the message already quotes', () => {
    const cause = Object.assign(new Error('database "x" does not exist'), { code: '3D000' });
    const err = new Error('PostgreSQL at postgres://db/x: database "x" does not exist (migrate)', {
      cause,
    });
    expect(logged(err)).toMatchObject({
      type: 'Error',
      message: 'PostgreSQL at postgres://db/x: database "x" does not exist (migrate)',
    });
  });

  it('adds each cause that says something new, as pino does', () => {
    const err = new Error('cannot open buffer', {
      cause: new Error('disk I/O error', { cause: new Error('EIO') }),
    });
    expect(logged(err).message).toBe('cannot open buffer: disk I/O error: EIO');
  });

  it('keeps the stack and own fields', () => {
    const err = Object.assign(new Error('refused'), { code: 'E_X' });
    expect(logged(err)).toMatchObject({ code: 'E_X', stack: expect.stringContaining('refused') });
  });
});
