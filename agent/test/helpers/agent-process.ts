import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

// The built agent (agent/bin/hostpulse-agent.js) as a real process for the signal, buffer and
// dead-letter tests. Its pino lines are kept for assertions; stop() ends only this child.

export const agentBin = resolve(import.meta.dirname, '..', '..', 'bin', 'hostpulse-agent.js');

export function assertBuilt(): void {
  if (!existsSync(resolve(import.meta.dirname, '..', '..', 'dist', 'main.js'))) {
    throw new Error('agent/dist/main.js is missing: run `npx tsc -b` in the repository first');
  }
}

const cleanEnv = () => ({ ...process.env, HOSTPULSE_AGENT_TOKEN: '', HOSTPULSE_AGENT_CONFIG: '' });

export class AgentProcess {
  private text = '';
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;

  constructor(configFile: string) {
    this.child = spawn(process.execPath, [agentBin, '-c', configFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: cleanEnv(),
    });
    const keep = (chunk: Buffer) => (this.text += chunk.toString());
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.exited = new Promise((done) => this.child.once('exit', (code) => done(code)));
  }

  get log(): string {
    return this.text;
  }

  get isRunning(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The JSON log lines whose msg is `msg`. */
  lines(msg: string): Record<string, unknown>[] {
    return this.text
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.msg === msg);
  }

  signal(name: NodeJS.Signals): void {
    this.child.kill(name);
  }

  /** Waits for the exit; SIGKILL after `graceMs` so a hung agent cannot hang the test. */
  async waitExit(graceMs = 10_000): Promise<number | null> {
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  async stop(): Promise<number | null> {
    if (!this.isRunning) return this.child.exitCode;
    this.child.kill('SIGTERM');
    return this.waitExit();
  }

  async until(what: string, probe: () => boolean, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!probe() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (!probe()) throw new Error(`timed out waiting for ${what}; agent log:\n${this.text}`);
  }
}

/** Runs `hostpulse-agent --once --json` and returns its exit status and parsed report. */
export function runOnceJson(configFile: string): { status: number | null; report: any } {
  const result = spawnSync(process.execPath, [agentBin, '--once', '--json', '-c', configFile], {
    encoding: 'utf8',
    env: cleanEnv(),
    timeout: 30_000,
  });
  return { status: result.status, report: JSON.parse(result.stdout) };
}

/** Runs `hostpulse-agent --once` (tables) and returns its exit status and output. */
export function runOnceText(configFile: string): { status: number | null; stdout: string } {
  const result = spawnSync(process.execPath, [agentBin, '--once', '-c', configFile], {
    encoding: 'utf8',
    env: cleanEnv(),
    timeout: 30_000,
  });
  return { status: result.status, stdout: result.stdout };
}
