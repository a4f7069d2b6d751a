import { accessSync, constants } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { quote } from '@hostpulse/shared';
import type { CheckConfigProblem } from './check.js';

// `ca_file` of the TLS checks (http, smtp): a PEM file of the private CA that signed the
// target's certificate. Checked at load, so a typo is refused at start; read at every run, so
// a renewed CA is picked up without a reload.

export function caFileProblems(caFile: string | undefined): CheckConfigProblem[] {
  if (caFile === undefined) return [];
  try {
    accessSync(caFile, constants.R_OK);
    return [];
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return [{ key: 'ca_file', message: `${quote(caFile)} cannot be read (${code})` }];
  }
}

export async function readCa(caFile: string | undefined): Promise<string | undefined> {
  return caFile === undefined ? undefined : readFile(caFile, 'utf8');
}
