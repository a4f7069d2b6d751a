import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from './helpers/pg.js';

// The built CLI (collector/bin → dist/) as a real process; run `npx tsc -b` first.

const bin = resolve(import.meta.dirname, '..', 'bin', 'hostpulse-collector.js');
const dir = mkdtempSync(join(tmpdir(), 'hostpulse-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configFile(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, ...env },
    timeout: 30_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('hostpulse-collector CLI', () => {
  const good = configFile('good.yaml', `listen: 127.0.0.1:0\ndata_dir: ${dir}\n`);

  it('migrate prints each migration with its duration, then nothing left to do', () => {
    const first = cli(['migrate', '--config', good]);
    expect(first.status, first.stderr).toBe(0);
    const lines = first.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines.slice(0, -1)) expect(line).toMatch(/^applied \S+ in \d+ ms$/);
    expect(lines.at(-1)).toBe(`${lines.length - 1} migration(s) applied`);

    const again = cli(['migrate', '--config', good]);
    expect(again.status).toBe(0);
    expect(again.stdout.trim()).toBe('the database schema is up to date');
  });

  it('token create prints the token once, list shows it without the secret, revoke ends it', () => {
    const created = cli(['token', 'create', '--agent', 'web-1', '--config', good]);
    expect(created.status, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^hp_[A-Za-z0-9_-]{43}\n$/);
    expect(created.stderr).toContain('shown only this once');
    const token = created.stdout.trim();

    const api = cli(['token', 'create', '--api', 'grafana', '--role', 'viewer'], { HOSTPULSE_COLLECTOR_CONFIG: good });
    expect(api.status, api.stderr).toBe(0);

    const list = cli(['token', 'list', '--config', good]);
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(/^NAME\s+KIND\s+ROLE\s+CREATED\s+REVOKED$/m);
    expect(list.stdout).toMatch(/^web-1\s+agent\s+-\s+\S+\s+-$/m);
    expect(list.stdout).toMatch(/^grafana\s+api\s+viewer\s/m);
    expect(list.stdout).not.toContain(token);
    expect(list.stdout).not.toContain('hp_');

    expect(cli(['token', 'revoke', 'web-1', '--config', good]).status).toBe(0);
    const twice = cli(['token', 'revoke', 'web-1', '--config', good]);
    expect(twice.status).toBe(1);
    expect(twice.stderr).toContain('no live token is named "web-1"');
  });

  // The sign-in page is what a newcomer reads after `npm start`, where no hostpulse-collector is
  // on the PATH: its checkout command must run as written from the repository's root.
  it("the dashboard sign-in page's token commands work as written", () => {
    const html = readFileSync(resolve(import.meta.dirname, '..', 'dashboard', 'index.html'), 'utf8');
    const command = (id: string) => {
      const text = new RegExp(`<pre class="hint" id="${id}">([^<]+)</pre>`).exec(html)?.[1];
      expect(text, `#${id} in index.html`).toBeDefined();
      // A shell joins a line ending in a backslash with the next.
      return (text ?? '').replace(/\\\n/g, ' ').trim().split(/\s+/);
    };
    const checkout = command('token-command-checkout');
    const installed = command('token-command-installed');

    const localConfig = '.hostpulse/collector.yaml';
    expect(checkout.slice(0, 2)).toEqual(['node', 'collector/bin/hostpulse-collector.js']);
    expect(checkout.slice(-2)).toEqual(['--config', localConfig]);
    const pkg = JSON.parse(readFileSync(resolve(import.meta.dirname, '..', 'package.json'), 'utf8'));
    expect(Object.keys(pkg.bin)).toEqual([installed[0]]);
    expect(installed.slice(1)).toEqual(checkout.slice(2, -2));

    // Run from the repository's root, with the file npm start writes swapped for a test one.
    const config = configFile('sign-in-page.yaml', `listen: 127.0.0.1:0\ndata_dir: ${mkdtempSync(join(dir, 'sign-in-'))}\n`);
    expect(cli(['migrate', '--config', config]).status).toBe(0);
    const args = checkout.slice(1).map((arg) => (arg === localConfig ? config : arg === 'NAME' ? 'reader' : arg));
    const result = spawnSync(process.execPath, args, {
      cwd: resolve(import.meta.dirname, '..', '..'),
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
      timeout: 30_000,
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^hp_[A-Za-z0-9_-]{43}\n$/);
    expect(cli(['token', 'list', '--config', config]).stdout).toMatch(/^reader\s+api\s+viewer\s/m);
  });

  it('refuses a bad collector.yaml with exit 2 and one line per problem naming the key', () => {
    const bad = configFile('bad.yaml', 'listen: localhost\nhost_down_after: soon\ncolour: blue\nlimits: { max_body_bytes: huge }\n');
    for (const args of [['--config', bad], ['migrate', '--config', bad], ['--check-config', '--config', bad]]) {
      const result = cli(args);
      expect(result.status).toBe(2);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toEqual([
        expect.stringMatching(/^bad\.yaml: colour: unknown key/),
        expect.stringMatching(/^bad\.yaml: listen: "localhost" is not valid/),
        'bad.yaml: host_down_after: "soon" is not a duration (write 500ms, 10s, 90m, 26h or 7d)',
        'bad.yaml: limits.max_body_bytes: "huge" is not a size (write 512KiB, 1MiB or 1GB)',
      ]);
      expect(result.stdout).toBe('');
    }
  });

  it('refuses a missing config file, an unknown command and an unknown flag with exit 2', () => {
    const missing = cli(['--config', join(dir, 'nope.yaml')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('nope.yaml: does not exist');
    expect(cli(['frobnicate', '--config', good]).status).toBe(2);
    expect(cli(['--colour']).stderr).toContain("Unknown option '--colour'");
  });

  it('--check-config prints the effective configuration with the database password redacted', () => {
    const file = configFile('secret.yaml', `data_dir: ${dir}\ndatabase: { url: "postgres://hp:s3cret@127.0.0.1/hp" }\n`);
    const result = cli(['--check-config', '--config', file]);
    expect(result.status).toBe(0);
    expect(result.stdout).not.toContain('s3cret');
    expect(result.stdout).toContain('"hostDownAfterMs": 60000');
  });

  it('--check-config reads notifier secret files as serve does, exit 2 without the secret', () => {
    const missing = join(dir, 'no-such-secret');
    const url = configFile('slack-url', 'https://hooks.example.com/services/T/B/S3CRETPATH\n');
    const text = (slackFile: string, secretFile: string) => `listen: 127.0.0.1:0
data_dir: ${dir}
notifiers:
  - { name: ops, type: slack, webhook_url_file: ${slackFile} }
  - { name: hook, type: webhook, url: "http://127.0.0.1:9/x", secret_file: ${secretFile} }
`;
    const bad = configFile('bad-secret.yaml', text(missing, dir));
    const checked = cli(['--check-config', '--config', bad]);
    expect(checked.status).toBe(2);
    expect(checked.stdout).toBe('');
    expect(checked.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^notifier ops: cannot read .*no-such-secret \(ENOENT/),
      expect.stringMatching(/^notifier hook: cannot read .* \(EISDIR/),
    ]);
    const served = cli(['--config', bad]);
    expect(served.status).toBe(2);
    expect(served.stderr.trim().split('\n')[0]).toBe(checked.stderr.trim().split('\n')[0]);

    const good = configFile('good-secret.yaml', text(url, url));
    const ok = cli(['--check-config', '--config', good]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout + ok.stderr).not.toContain('S3CRETPATH');
  });

  it('prints --version and --help; simulate without --url is bad usage', () => {
    expect(cli(['--version']).stdout).toMatch(/^hostpulse-collector \d+\.\d+\.\d+\n$/);
    expect(cli(['--help']).stdout).toContain('token create --agent NAME');
    expect(cli(['--help']).stdout).toContain('simulate --url URL');
    const simulate = cli(['simulate', '--agents', '3']);
    expect(simulate.status).toBe(2);
    expect(simulate.stderr).toContain('--url is required');
  });

  it('migrates a new embedded data_dir by itself when serving', async () => {
    const fresh = join(dir, 'fresh');
    const config = configFile('fresh.yaml', `listen: 127.0.0.1:0\ndata_dir: ${fresh}\n`);
    const lines = await serveUntilReady(config, async (url) => {
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
    });
    expect(lines.filter((l) => l.msg === 'migration applied').length).toBeGreaterThan(0);
    expect(cli(['token', 'create', '--agent', 'a', '--config', config]).status).toBe(0);
  });

  it('refuses to use a PostgreSQL database whose schema is behind, naming migrate', async () => {
    const db = await createTestDatabase();
    try {
      const config = configFile('pg.yaml', `database: { url: "${db.url}" }\n`);
      const created = cli(['token', 'create', '--agent', 'a', '--config', config]);
      expect(created.status).toBe(1);
      expect(created.stderr).toContain('the database schema is behind this collector (pending: 001-core');
      expect(created.stderr).toContain('run `hostpulse-collector migrate` with the same configuration');
      expect(cli(['migrate', '--config', config]).status).toBe(0);
      expect(cli(['token', 'create', '--agent', 'a', '--config', config]).status).toBe(0);
    } finally {
      await db.drop();
    }
  });

  it('says once, with both ways out, that the PostgreSQL database does not exist', () => {
    // Never created: the server answers the connection with invalid_catalog_name (3D000).
    const name = `hostpulse_t_absent_${randomBytes(6).toString('hex')}`;
    const url = `postgres://postgres@127.0.0.1:5432/${name}`;
    const config = configFile('absent.yaml', `database: { url: "${url}" }\n`);
    const result = cli(['migrate', '--config', config]);
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      `hostpulse-collector: PostgreSQL at postgres://***@127.0.0.1:5432/${name}: ` +
        `database "${name}" does not exist (migrate); ` +
        'create that database or correct database.url (or DATABASE_URL)',
    );
  });

  it('serves, logs its URL, and stops cleanly on SIGTERM', async () => {
    const lines = await serveUntilReady(good, async (url) => {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
    });
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['collector listening', 'stopped']));
  });

  it('exits 1 when its port is taken, saying why once in its log', async () => {
    const holder = createServer();
    await new Promise<void>((done) => holder.listen(0, '127.0.0.1', done));
    const { port } = holder.address() as AddressInfo;
    try {
      const file = configFile('taken.yaml', `listen: 127.0.0.1:${port}\ndata_dir: ${dir}\n`);
      const result = cli(['--config', file]);
      expect(result.status, result.stdout).toBe(1);
      const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      const fatal = lines.find((line) => line.msg === 'collector cannot run');
      expect(fatal).toMatchObject({
        reason: `cannot listen on 127.0.0.1:${port}: the address is already in use (another collector or another program listens there)`,
        errorCode: 'EADDRINUSE',
      });
      expect(result.stdout.match(/already in use|EADDRINUSE: address/g)).toEqual(['already in use']);
    } finally {
      holder.close();
    }
  });

  it('serves HTTPS with tls.cert_file and tls.key_file', async () => {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-subj', '/CN=127.0.0.1', '-days', '1'], { encoding: 'utf8' });
    expect(made.status, `openssl could not make a test certificate: ${made.stderr}`).toBe(0);
    const file = configFile('tls.yaml', `listen: 127.0.0.1:0
data_dir: ${dir}
tls: { cert_file: ${cert}, key_file: ${key} }
`);
    await serveUntilReady(file, async (url) => {
      expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const dispatcher = new Agent({ connect: { rejectUnauthorized: false } });
      const answer = await request(`${url}/healthz`, { dispatcher });
      expect(answer.statusCode).toBe(200);
      await answer.body.text();
      await dispatcher.close();
    });
  });

  it('refuses to start when a TLS file cannot be read, with exit 2', () => {
    const file = configFile('tls-missing.yaml', `data_dir: ${dir}
tls: { cert_file: /nonexistent/cert.pem, key_file: /nonexistent/key.pem }
`);
    const result = cli(['--config', file]);
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe('tls-missing.yaml: tls.key_file: cannot read /nonexistent/key.pem (ENOENT)');
  });
});

/** Starts `serve`, runs `check` with its URL, stops it with SIGTERM; returns its log lines. */
async function serveUntilReady(file: string, check: (url: string) => Promise<void>): Promise<Record<string, unknown>[]> {
  const child = spawn(process.execPath, [bin, '--config', file], { env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  try {
    await check(await waitForUrl(() => output, exited));
    child.kill('SIGTERM');
    expect(await exited, output).toBe(0);
    return output.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

async function waitForUrl(output: () => string, exited: Promise<number | null>): Promise<string> {
  let done = false;
  void exited.then(() => (done = true));
  for (let i = 0; i < 150 && !done; i += 1) {
    const match = /"url":"(https?:\/\/127\.0\.0\.1:\d+)"/.exec(output());
    if (match?.[1]) return match[1];
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the collector did not log its URL:\n${output()}`);
}
