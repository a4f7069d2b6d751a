import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// SIGHUP on the built collector (collector/bin → dist/, run `npx tsc -b` first): the rules of
// a changed collector.yaml are swapped in; a bad file is refused, logged, and the running
// rules carry on.

const bin = resolve(import.meta.dirname, '..', 'bin', 'hostpulse-collector.js');
const dir = mkdtempSync(join(tmpdir(), 'hostpulse-reload-'));
const file = join(dir, 'collector.yaml');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeConfig(rules: string): void {
  writeFileSync(file, `listen: 127.0.0.1:0\ndata_dir: ${dir}\nrules:\n${rules}`);
}

const rule = (name: string, metric: string) =>
  `  - { name: ${name}, metric: ${metric}, thresholds: [{ severity: high, above: 90 }] }\n`;

function cli(args: string[]): string {
  const env = { PATH: process.env.PATH };
  const argv = [bin, ...args, '--config', file];
  const result = spawnSync(process.execPath, argv, { encoding: 'utf8', env, timeout: 30_000 });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.trim();
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, log: () => string) {
  for (let i = 0; i < 100; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}:\n${log()}`);
}

describe('collector SIGHUP', () => {
  it('reloads rules from collector.yaml and refuses a bad file, keeping the running rules', async () => {
    writeConfig(rule('cpu-high', 'cpu_usage_percent'));
    cli(['migrate']);
    const token = cli(['token', 'create', '--api', 'viewer', '--role', 'viewer']);
    const child = spawn(process.execPath, [bin, '--config', file], {
      env: { PATH: process.env.PATH },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    const log = () => output;
    try {
      const url = await until('the URL', async () => /"url":"(http:\/\/[^"]+)"/.exec(output)?.[1], log);
      const names = async () => {
        const answer = await fetch(`${url}/api/v1/rules`, { headers: { authorization: `Bearer ${token}` } });
        return ((await answer.json()) as { rules: { name: string }[] }).rules.map((r) => r.name);
      };
      expect(await names()).toEqual(['cpu-high', 'host-down']);

      writeConfig(rule('load-high', 'load_1m'));
      child.kill('SIGHUP');
      await until('the new rules', async () => ((await names())[0] === 'load-high' ? true : undefined), log);

      writeConfig(rule('bad', 'load_1m').replace('above: 90', 'above: 90, below: 10'));
      child.kill('SIGHUP');
      await until('the refusal', async () => (output.includes('reload refused') ? true : undefined), log);
      expect(await names()).toEqual(['load-high', 'host-down']);
      const refusal = output.split('\n').find((l) => l.includes('reload refused'))!;
      expect(JSON.parse(refusal).problems).toEqual([
        'collector.yaml: rules[0].thresholds[0]: needs exactly one of above: or below:',
      ]);

      child.kill('SIGTERM');
      expect(await exited, output).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
