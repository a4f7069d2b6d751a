import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// `npm start` refuses a HOSTPULSE_PORT that is no port before it installs, builds or writes
// anything (it used to write `listen: 127.0.0.1:NaN` into the operator's collector.yaml, and
// Number() let 0x1F90 or 1e3 through as ports).

const script = fileURLToPath(new URL('../scripts/start.mjs', import.meta.url));
const portSetting = new URL('../scripts/port-setting.mjs', import.meta.url).href;

async function parsePortSetting(raw: string | undefined): Promise<number | undefined> {
  const module = (await import(portSetting)) as { parsePortSetting(raw: string | undefined): number | undefined };
  return module.parsePortSetting(raw);
}

const refused = ['abc', '0', '70000', '80.5', '0x1F90', '1e3', ' 80 80', '+80', '80.0', '-80', '８０'];

describe('npm start', () => {
  // Only refusals run the script itself: an accepted port would go on to start the whole product.
  it.each(refused)('refuses HOSTPULSE_PORT=%j, naming it, with exit 2', (value) => {
    const result = spawnSync(process.execPath, [script], {
      env: { ...process.env, HOSTPULSE_PORT: value },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      `HOSTPULSE_PORT=${JSON.stringify(value)} is not a port (1 to 65535, decimal digits only); ` +
        'set a port number, or unset it to let npm start pick a free one from 8080 up.\n',
    );
    expect(result.stdout).toBe('');
  });
});

describe('HOSTPULSE_PORT', () => {
  it.each([
    ['8080', 8080],
    ['1', 1],
    ['65535', 65535],
    [' 9090\n', 9090],
    ['08080', 8080],
  ])('reads %j as port %i', async (value, port) => {
    expect(await parsePortSetting(value)).toBe(port);
  });

  it.each([undefined, '', '   '])('leaves %j unset, so npm start picks a free port', async (value) => {
    expect(await parsePortSetting(value)).toBeUndefined();
  });

  it.each(refused)('refuses %j', async (value) => {
    await expect(parsePortSetting(value)).rejects.toThrow(`HOSTPULSE_PORT=${JSON.stringify(value)} is not a port`);
  });
});
