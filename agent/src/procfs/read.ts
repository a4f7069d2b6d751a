import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HostpulseError } from '@hostpulse/shared';

// The one place samplers read a /proc or /sys file. Paths are always under the configured root
// (`/` on a host, `/host` in a container with the host's / mounted there), so tests point a
// sampler at a fixture tree by its root alone.

// The read is synchronous on purpose: the kernel makes these files from memory, so a read never
// waits on a disk or a server (statfs of mounts, which can hang, stays asynchronous in
// filesystem.ts). A promise readFile is four thread-pool round trips (open, fstat, read, close)
// per file; with about 15 files a cycle that was the agent's largest CPU cost (bench/README.md).

/** Reads `rootDir/relativePath` as text; a missing or unreadable file names the root to check. */
export async function readSourceFile(rootDir: string, relativePath: string): Promise<string> {
  const file = join(rootDir, relativePath);
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new HostpulseError(
      'internal',
      `cannot read ${file} (${reason}); is \`root: ${rootDir}\` in agent.yaml where the host's /proc and /sys are seen?`,
      { file, rootDir },
      { cause: err },
    );
  }
}

/** The same error for a file that was read but holds nothing we can use. */
export function unreadableSource(rootDir: string, relativePath: string, what: string): HostpulseError {
  const file = join(rootDir, relativePath);
  return new HostpulseError('internal', `${file}: ${what}`, { file, rootDir });
}
