import { readFileSync } from 'node:fs';

// The version comes from agent/package.json at run time, so a release bumps one file. The path
// is the same from src/ (tests) and dist/ (built): both sit one level below the package root.
let cached: string | undefined;

export function agentVersion(): string {
  if (cached === undefined) {
    const file = new URL('../package.json', import.meta.url);
    cached = (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  }
  return cached;
}
