import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  collectorBin,
  freePort,
  runCli,
  startProcess,
  tempDir,
  waitFor,
  type RunningProcess,
} from './helpers/processes.js';

// `npm start` refuses a HOSTPULSE_PORT that is no port before it installs, builds or writes
// anything (it used to write `listen: 127.0.0.1:NaN` into the operator's collector.yaml, and
// Number() let 0x1F90 or 1e3 through as ports).

const script = fileURLToPath(new URL('../scripts/start.mjs', import.meta.url));
const portSetting = new URL('../scripts/port-setting.mjs', import.meta.url).href;
const logLevelSetting = new URL('../scripts/log-level-setting.mjs', import.meta.url).href;
const freePortModule = new URL('../scripts/free-port.mjs', import.meta.url).href;
const ownedKeysModule = new URL('../scripts/owned-keys.mjs', import.meta.url).href;

async function parsePortSetting(raw: string | undefined): Promise<number | undefined> {
  const module = (await import(portSetting)) as { parsePortSetting(raw: string | undefined): number | undefined };
  return module.parsePortSetting(raw);
}

const refused = ['abc', '0', '70000', '80.5', '0x1F90', '1e3', ' 80 80', '+80', '80.0', '-80', '８０'];

describe('npm start', () => {
  // A refusal comes before anything is written, so these runs need no folder of their own.
  it.each(refused)('refuses HOSTPULSE_PORT=%j, naming it, with exit 2', (value) => {
    const result = spawnSync(process.execPath, [script], {
      env: { ...process.env, HOSTPULSE_PORT: value, HOSTPULSE_LOG_LEVEL: undefined },
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

// README promises 8080 "or the next free one from there"; npm start used to take a random
// port as soon as 8080 was taken. Tried on ports the test finds free, as 8080 may be in use.
describe('the port npm start picks when HOSTPULSE_PORT is unset', () => {
  async function firstFreePort(first: number, count: number): Promise<number> {
    type Module = { firstFreePort(first: number, count: number): Promise<number> };
    return ((await import(freePortModule)) as Module).firstFreePort(first, count);
  }

  function listen(port: number): Promise<ReturnType<typeof createServer> | undefined> {
    return new Promise((done) => {
      const server = createServer();
      server.once('error', () => done(undefined));
      server.listen(port, '127.0.0.1', () => done(server));
    });
  }

  function close(server: ReturnType<typeof createServer> | undefined): Promise<void> {
    return new Promise((done) => (server ? server.close(() => done()) : done()));
  }

  it('is the first port when it is free', async () => {
    const port = await freePort();
    expect(await firstFreePort(port, 10)).toBe(port);
  });

  it('is the next port when the first is taken', async () => {
    // A taken port whose next one was free a moment ago; a few tries, as others use ports too.
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const taken = await listen(await freePort());
      const port = (taken?.address() as AddressInfo).port;
      const next = await listen(port + 1);
      await close(next);
      if (next === undefined) {
        await close(taken);
        continue;
      }
      try {
        expect(await firstFreePort(port, 10)).toBe(port + 1);
        return;
      } finally {
        await close(taken);
      }
    }
    throw new Error('found no two free ports in a row to try');
  });

  it('is any free port when all of the few are taken', async () => {
    const taken = await listen(await freePort());
    const port = (taken?.address() as AddressInfo).port;
    try {
      const picked = await firstFreePort(port, 1);
      expect(picked).not.toBe(port);
      expect(picked).toBeGreaterThan(0);
    } finally {
      await close(taken);
    }
  });
});

// The agent hands HOSTPULSE_LOG_LEVEL to pino, which throws on a level it does not know: the
// collector started, the agent died, and npm start said only that the agent exited.
describe('HOSTPULSE_LOG_LEVEL', () => {
  async function parseLogLevelSetting(raw: string | undefined): Promise<string | undefined> {
    type Module = { parseLogLevelSetting(raw: string | undefined): string | undefined };
    return ((await import(logLevelSetting)) as Module).parseLogLevelSetting(raw);
  }

  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];
  const wrong = ['bogus', 'DEBUG', 'silent', 'warning', 'info,debug', '30'];

  it.each(wrong)('npm start refuses %j, naming it and the levels, with exit 2', (value) => {
    const dir = tempDir('start-level');
    try {
      const result = spawnSync(process.execPath, [script], {
        env: {
          ...process.env,
          HOSTPULSE_LOG_LEVEL: value,
          HOSTPULSE_PORT: undefined,
          HOSTPULSE_START_DIR: dir.path,
        },
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(result.stderr).toBe(
        `HOSTPULSE_LOG_LEVEL=${JSON.stringify(value)} is not a log level ` +
          '(fatal, error, warn, info, debug or trace); ' +
          'set one of those, or unset it to use log_level from agent.yaml.\n',
      );
      expect(result.status).toBe(2);
      expect(result.stdout).toBe('');
      expect(readdirSync(dir.path)).toEqual([]);
    } finally {
      dir.remove();
    }
  });

  it.each(levels)('reads %j', async (value) => {
    expect(await parseLogLevelSetting(value)).toBe(value);
  });

  it('reads a level without the blanks around it', async () => {
    expect(await parseLogLevelSetting(' debug\n')).toBe('debug');
  });

  it.each([undefined, '', '  '])('leaves %j unset (log_level counts)', async (value) => {
    expect(await parseLogLevelSetting(value)).toBeUndefined();
  });

  it('is reported with a bad HOSTPULSE_PORT, one line each', () => {
    const result = spawnSync(process.execPath, [script], {
      env: { ...process.env, HOSTPULSE_LOG_LEVEL: 'bogus', HOSTPULSE_PORT: 'abc' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(2);
    const lines = result.stderr.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^HOSTPULSE_PORT="abc" is not a port/);
    expect(lines[1]).toMatch(/^HOSTPULSE_LOG_LEVEL="bogus" is not a log level/);
  });
});

// A configuration file that is YAML but not settings used to crash npm start with the yaml
// package's stack (from setIn); it must stop with one line, exit 2 and start nothing.
describe('npm start with a configuration file that is not a map of settings', () => {
  const cases = [
    ['agent.yaml', '- a\n', 'expected a map of settings at the top, found a list'],
    ['agent.yaml', 'hello\n', 'expected a map of settings at the top, found the text "hello"'],
    ['agent.yaml', 'collector: 5\n', 'collector: expected a map of settings, found the number 5'],
    ['agent.yaml', 'buffer: [a]\n', 'buffer: expected a map of settings, found a list'],
    ['collector.yaml', '- a\n', 'expected a map of settings at the top, found a list'],
    ['collector.yaml', 'hello\n', 'expected a map of settings at the top, found the text "hello"'],
  ];

  it.each(cases)('refuses %s holding %j, with exit 2', async (name, text, problem) => {
    const dir = tempDir('start-config');
    try {
      writeFileSync(join(dir.path, name), text);
      const result = spawnSync(process.execPath, [script], {
        env: {
          ...process.env,
          HOSTPULSE_START_DIR: dir.path,
          HOSTPULSE_PORT: String(await freePort()),
          HOSTPULSE_LOG_LEVEL: undefined,
        },
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(result.stderr).toBe(`${join(dir.path, name)}: ${problem}\n`);
      expect(result.status).toBe(2);
      expect(readFileSync(join(dir.path, name), 'utf8')).toBe(text);
      expect(existsSync(join(dir.path, 'collector.log'))).toBe(false);
      expect(existsSync(join(dir.path, 'data'))).toBe(false);
    } finally {
      dir.remove();
    }
  }, 120_000);
});

describe('the keys npm start owns in its configuration files', () => {
  type Owned = [string[], string][];
  type Module = {
    withOwnedKeys(file: string, name: string, header: string, owned: Owned): { write(): void };
  };

  it('fills a section written with nothing under it, keeping its comments', async () => {
    const dir = tempDir('start-owned');
    try {
      const file = join(dir.path, 'agent.yaml');
      writeFileSync(file, 'collector:\n# mine\ninterval: 10s\n');
      const { withOwnedKeys } = (await import(ownedKeysModule)) as Module;
      const owned: Owned = [[['collector', 'url'], 'http://127.0.0.1:1']];
      withOwnedKeys(file, 'agent.yaml', 'header', owned).write();
      const text = readFileSync(file, 'utf8');
      expect(text).toMatch(/^collector:\n {2}url: http:\/\/127\.0\.0\.1:1\n/);
      expect(text).toContain('# mine');
      expect(text).toContain('interval: 10s');
    } finally {
      dir.remove();
    }
  });
});

// The runs below start the whole product, as `npm start` does, in a temp folder of their own
// (HOSTPULSE_START_DIR) on a port of their own, one after another on the same folder.

const TOKEN_SHAPE = /^hp_[A-Za-z0-9_-]{43}\n$/;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The PIDs a child logged (pino puts its pid on every line), last run's last. */
function loggedPids(logFile: string): number[] {
  if (!existsSync(logFile)) return [];
  const pids = readFileSync(logFile, 'utf8')
    .split('\n')
    .map((line) => /^\{.*"pid":(\d+)/.exec(line)?.[1])
    .filter((pid): pid is string => pid !== undefined)
    .map(Number);
  return [...new Set(pids)];
}

describe('npm start, once the collector has started', () => {
  const dir = tempDir('start-script');
  const home = join(dir.path, 'home');
  let env: NodeJS.ProcessEnv;
  let url: string;
  let current: RunningProcess | undefined;
  let runs = 0;
  let firstBanner = '';
  let firstPid = 0;

  function startRun(extraEnv: NodeJS.ProcessEnv = {}): RunningProcess {
    runs += 1;
    current = startProcess(`npm-start-${runs}`, script, [], dir.path, { ...env, ...extraEnv });
    return current;
  }

  async function untilRunning(run: RunningProcess): Promise<void> {
    await waitFor('the npm start banner', () => {
      if (!run.isRunning) throw new Error(`npm start exited:\n${run.log()}`);
      return run.log().includes('hostpulse is running.');
    }, 120_000);
  }

  async function ping(file: string): Promise<number> {
    const secret = readFileSync(file, 'utf8').trim();
    const answer = await fetch(`${url}/api/v1/ping`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    return answer.status;
  }

  /**
   * The output once it holds `expected` (it reaches the file a little after the exit), or as
   * it is after 10 s, for the assertion that follows to show.
   */
  async function outputOf(run: RunningProcess, expected: string): Promise<string> {
    const deadline = Date.now() + 10_000;
    while (!run.log().includes(expected) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    return run.log();
  }

  function collectorPid(): number {
    const pids = loggedPids(join(home, 'collector.log'));
    expect(pids.length).toBeGreaterThan(0);
    return pids[pids.length - 1] as number;
  }

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    // undefined: spawn leaves the variable out, whatever the developer's shell has set.
    env = {
      HOSTPULSE_START_DIR: home,
      HOSTPULSE_PORT: String(port),
      HOSTPULSE_LOG_LEVEL: undefined,
    };
    const first = startRun();
    await untilRunning(first);
    firstBanner = first.log();
    firstPid = first.pid;
    expect(await first.stop('SIGTERM', 40_000)).toBe(0);
  }, 180_000);

  afterAll(async () => {
    await current?.stop('SIGTERM', 40_000);
    // Whatever a failed case left behind: only children of these runs, found by their logs.
    for (const log of ['agent.log', 'collector.log']) {
      for (const pid of loggedPids(join(home, log))) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    dir.remove();
  }, 60_000);

  it('says how to stop it, with its own PID, and that the API token is an admin one', () => {
    const stopLine = `Ctrl-C stops both, or \`kill ${firstPid}\` from another terminal.`;
    expect(firstBanner).toContain(stopLine);
    expect(firstBanner).toContain(`sign in with the admin token in ${join(home, 'api.token')}`);
  });

  const tokenFiles = ['api.token', 'agent.token'];

  it.each(tokenFiles)('replaces a damaged %s with a working token', async (name) => {
    const file = join(home, name);
    writeFileSync(file, 'garbage\n');
    const run = startRun();
    await untilRunning(run);
    expect(run.log()).toContain(`${file} holds no valid token; making a new `);
    expect(readFileSync(file, 'utf8')).toMatch(TOKEN_SHAPE);
    expect(await ping(file)).toBe(200);
    expect(await run.stop('SIGTERM', 40_000)).toBe(0);
  }, 120_000);

  it.each(tokenFiles)('replaces %s when the collector refuses its token', async (name) => {
    const file = join(home, name);
    const tokenName = name === 'api.token' ? 'local-admin' : 'local-agent';
    const config = join(home, 'collector.yaml');
    const revoked = runCli(collectorBin, ['token', 'revoke', tokenName, '--config', config]);
    expect(revoked.status).toBe(0);
    const run = startRun();
    await untilRunning(run);
    const kind = name === 'api.token' ? 'API' : 'agent';
    expect(run.log()).toContain(`the saved ${kind} token was refused (revoked?); making a new one`);
    expect(await ping(file)).toBe(200);
    expect(await run.stop('SIGTERM', 40_000)).toBe(0);
  }, 120_000);

  it('stops the collector it started when the agent cannot start', async () => {
    // A folder where the agent's SQLite buffer should be: the agent exits at start.
    const buffer = join(home, 'agent.db');
    renameSync(buffer, `${buffer}.kept`);
    mkdirSync(buffer);
    try {
      const run = startRun();
      expect(await run.waitExit()).toBe(1);
      const reason = `the agent exited with 1 at start; the end of ${join(home, 'agent.log')}:\n  `;
      const output = await outputOf(run, reason);
      expect(output).toContain(reason);
      expect(output).toMatch(/\n {2}fatal: agent cannot start/);
      expect(isAlive(collectorPid())).toBe(false);
      expect(existsSync(join(home, 'start.pid'))).toBe(false);
    } finally {
      rmSync(buffer, { recursive: true, force: true });
      renameSync(`${buffer}.kept`, buffer);
    }
  }, 120_000);

  it('stops the collector on Ctrl-C before the start is through', async () => {
    const collectorLog = join(home, 'collector.log');
    const before = loggedPids(collectorLog).length;
    const run = startRun();
    // Its first log line: the collector runs, and the agent is 1.5 s or more away.
    const hasLogged = () => loggedPids(collectorLog).length > before;
    await waitFor('the collector of this start', hasLogged, 60_000);
    const pid = collectorPid();
    run.child.kill('SIGINT');
    expect(await run.waitExit()).toBe(0);
    const output = await outputOf(run, 'stopping the collector');
    expect(output).toContain('==> stopping the collector\n');
    expect(output).not.toContain('hostpulse is running.');
    expect(isAlive(pid)).toBe(false);
  }, 120_000);

  it('stops, showing the end of collector.log, when the collector cannot listen', async () => {
    // Something else on the port that was set: the collector exits before it is ready.
    const holder = createServer((socket) => socket.destroy());
    const port = await freePort();
    await new Promise<void>((done) => holder.listen(port, '127.0.0.1', done));
    try {
      const run = startRun({ HOSTPULSE_PORT: String(port) });
      expect(await run.waitExit()).toBe(1);
      const output = await outputOf(run, 'the address is already in use');
      expect(output).toContain('the collector exited (code 1) before it was ready');
      expect(output).toContain(`; the end of ${join(home, 'collector.log')}:\n  `);
      expect(output).toContain('the address is already in use');
      expect(isAlive(collectorPid())).toBe(false);
    } finally {
      await new Promise((done) => holder.close(done));
    }
  }, 120_000);
});
