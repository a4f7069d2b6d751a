import { HostpulseError, quote } from '@hostpulse/shared';

/** A live token already has this name: the CLI prints this as it is. */
export function tokenTaken(name: string, cause: unknown): HostpulseError {
  return new HostpulseError(
    'bad_request',
    `a live token named ${quote(name)} already exists (revoke it first, or choose another name)`,
    { name },
    { cause },
  );
}
