import { createLogger, type Logger } from '@hostpulse/shared';

// A real pino logger writing into an array, so tests can assert what was logged and at what level.
export interface MemoryLog {
  readonly log: Logger;
  readonly lines: Record<string, unknown>[];
}

export function memoryLog(level = 'debug'): MemoryLog {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({
    name: 'test',
    level,
    destination: { write: (text: string) => void lines.push(JSON.parse(text) as Record<string, unknown>) },
  });
  return { log, lines };
}
