// What a verification of one backup file tells: it passed, or it failed with a reason an
// operator can act on (truncated, bad CRC, checksum mismatch).

export type VerifyOutcome = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Verifies the file at `path` (as the agent sees it); never throws, failures are outcomes. */
export type VerifyFile = (path: string) => Promise<VerifyOutcome>;

export const passed: VerifyOutcome = Object.freeze({ ok: true });

export function failed(reason: string): VerifyOutcome {
  return { ok: false, reason };
}

/** The reason for a file that cannot be opened or read while verifying it. */
export function readFailure(err: unknown): VerifyOutcome {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return failed('the file was removed before it could be verified');
  return failed(`cannot be read (${code ?? (err as Error).message})`);
}
