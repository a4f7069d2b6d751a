// One error type for the whole project. `code` is what callers and operators act on; the
// collector maps it to an HTTP status in one table (collector/src/http-errors.ts).
export type ErrorCode =
  | 'config_invalid'
  | 'batch_invalid'
  | 'batch_too_large'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'bad_request'
  | 'overloaded'
  | 'storage_unavailable'
  | 'internal';

export class HostpulseError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HostpulseError';
  }
}

export function isHostpulseError(err: unknown, code?: ErrorCode): err is HostpulseError {
  return err instanceof HostpulseError && (code === undefined || err.code === code);
}

/** Quotes a received value for an error message, cut at 80 characters. */
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  const cut = text.length > 80 ? `${text.slice(0, 77)}...` : text;
  return JSON.stringify(cut);
}
