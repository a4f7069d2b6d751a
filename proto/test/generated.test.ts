import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// proto/generated/ is checked in so that a build needs no code generation; this keeps it honest.
describe('proto/generated', () => {
  it('is exactly what proto/scripts/generate.mjs makes from the .proto files', () => {
    const script = fileURLToPath(new URL('../scripts/generate.mjs', import.meta.url));
    expect(() => execFileSync(process.execPath, [script, '--check'], { stdio: 'pipe' })).not.toThrow();
  });
});
