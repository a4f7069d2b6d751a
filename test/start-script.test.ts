import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// `npm start` refuses a HOSTPULSE_PORT that is no port before it installs, builds or writes
// anything (it used to write `listen: 127.0.0.1:NaN` into the operator's collector.yaml).

const script = fileURLToPath(new URL('../scripts/start.mjs', import.meta.url));

describe('npm start', () => {
  it.each(['abc', '0', '70000', '80.5'])('refuses HOSTPULSE_PORT=%s, naming it, with exit 2', (value) => {
    const result = spawnSync(process.execPath, [script], {
      env: { ...process.env, HOSTPULSE_PORT: value },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`HOSTPULSE_PORT="${value}" is not a port (1 to 65535)`);
    expect(result.stdout).toBe('');
  });
});
