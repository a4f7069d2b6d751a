import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeCollector, type FakeCollector } from './helpers/fake-collector.js';

// A real hung mount: helpers/fuse-hang.py mounts a FUSE filesystem that never answers statfs,
// so statfs(2) on it blocks uninterruptibly, exactly as on an NFS server that went away. The
// agent (the built binary, daemon and --once) runs beside it. Everything happens in a private
// mount namespace (unshare -m), so the mount is never visible to the rest of the machine, and
// helpers/hung-mount.sh aborts the FUSE connection and ends its processes by PID whatever
// happens. Needs root (mount(2) and fusectl), /dev/fuse, unshare and python3.

const agentDir = resolve(import.meta.dirname, '..');
const bin = join(agentDir, 'bin', 'hostpulse-agent.js');
const script = join(agentDir, 'test', 'helpers', 'hung-mount.sh');
const hasTool = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const missing = [
  process.getuid?.() === 0 ? '' : 'root',
  existsSync('/dev/fuse') ? '' : '/dev/fuse',
  hasTool('unshare') ? '' : 'unshare',
  hasTool('python3') ? '' : 'python3',
].filter(Boolean);
if (missing.length > 0) console.warn(`hung-mount test skipped: needs ${missing.join(', ')}`);

interface OnceJson {
  ok: boolean;
  values: { metric: string; labels: Record<string, string>; value: number }[];
  problems: { sampler: string; source: string; message: string }[];
}

describe.skipIf(missing.length > 0)('a mount whose statfs hangs', () => {
  let dir: string;
  let mnt: string;
  let collector: FakeCollector;
  let timings: Record<string, number>;
  let once: OnceJson;
  let daemonLog: string;

  beforeAll(async () => {
    collector = await startFakeCollector();
    dir = mkdtempSync(join(tmpdir(), 'hostpulse-hung-'));
    mnt = join(dir, 'hung');
    mkdirSync(mnt);
    const common = `collector: { url: "${collector.url}", token: hp_t, timeout: 2s }\n`;
    writeFileSync(
      join(dir, 'daemon.yaml'),
      `${common}interval: 1s\nbuffer: { path: ${join(dir, 'daemon.db')} }\n`,
    );
    writeFileSync(
      join(dir, 'once.yaml'),
      `${common}interval: 2s\nbuffer: { path: ${join(dir, 'once.db')} }\n`,
    );
    // Not spawnSync: the fake collector in this process must go on answering meanwhile.
    const child = spawn(
      'unshare',
      ['-m', '--propagation', 'private', 'sh', script, dir, mnt, bin,
        join(dir, 'daemon.yaml'), join(dir, 'once.yaml')],
      { env: { ...process.env, NODE: process.execPath }, stdio: ['ignore', 'inherit', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((done) => child.once('exit', done));
    daemonLog = readIfThere(join(dir, 'daemon.log'));
    if (code !== 0) {
      throw new Error(`hung-mount.sh exited ${code}: ${stderr}\ndaemon log:\n${daemonLog}`);
    }
    timings = Object.fromEntries(
      readFileSync(join(dir, 'timings'), 'utf8').trim().split('\n').map((line) => {
        const [name, ms] = line.split('=');
        return [name as string, Number(ms)];
      }),
    );
    once = JSON.parse(readFileSync(join(dir, 'once.json'), 'utf8')) as OnceJson;
  }, 90_000);

  afterAll(async () => {
    await collector?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('leaves no trace of the mount outside its namespace', () => {
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(mnt);
  });

  it('--once reports the other mounts and samplers and marks the hung one stalled', () => {
    const stalled = once.problems.filter((p) => p.source === mnt);
    expect(stalled).toHaveLength(1);
    expect(stalled[0]?.sampler).toBe('filesystem');
    // The second of --once's two samplings finds the first one's statfs still waiting.
    expect(stalled[0]?.message).toMatch(
      /^\S+: stalled, statfs has not answered for \d+ s; not asked again until it does$/,
    );
    const metrics = new Set(once.values.map((v) => v.metric));
    for (const metric of ['cpu_usage_percent', 'memory_used_percent', 'load_1m']) {
      expect(metrics).toContain(metric);
    }
    const mounts = once.values
      .filter((v) => v.metric === 'filesystem_size_bytes')
      .map((v) => v.labels.mount);
    expect(mounts.length).toBeGreaterThan(0);
    expect(mounts).not.toContain(mnt);
    expect(once.ok).toBe(false);
    // Printed while statfs was still hanging: the connection was aborted only afterwards.
    expect(timings.once_printed).toBeDefined();
    // It did not wait for the hung statfs to end either (exit.ts): it ended by its own SIGTERM.
    expect(timings.once_ended_before_abort).toBeDefined();
    expect(readFileSync(join(dir, 'once.exit'), 'utf8').trim()).toBe('143');
  });

  it('the daemon keeps its cycles within the interval and sends the other mounts', () => {
    const batches = collector.received.flatMap((r) => (r.batch ? [r.batch] : []));
    expect(batches.length).toBeGreaterThanOrEqual(3);
    const cycleSeconds = batches.flatMap((b) =>
      b.series.filter((s) => s.metric === 'agent_cycle_seconds').flatMap((s) => s.values),
    );
    expect(cycleSeconds.length).toBe(batches.length);
    for (const seconds of cycleSeconds) expect(seconds).toBeLessThan(1);
    const mounts = new Set(
      batches.flatMap((b) =>
        b.series.filter((s) => s.metric === 'filesystem_size_bytes').map((s) => s.labels?.mount),
      ),
    );
    expect(mounts.size).toBeGreaterThan(0);
    expect(mounts).not.toContain(mnt);
    const events = batches.flatMap((b) => b.events);
    const problem = events.find((e) => e.kind === 'sampler_problem' && e.labels?.source === mnt);
    expect(problem?.message).toBe(
      `${mnt}: statfs did not answer within 500 ms; mount stalled, skipped until it answers`,
    );
    expect(daemonLog).toContain('"msg":"sampler problem"');
    expect(timings.daemon_ended_before_abort).toBeDefined();
    expect(batches.at(-1)?.stopping).toBe(true);
  });
});

function readIfThere(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}
