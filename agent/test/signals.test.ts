import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AgentProcess, assertBuilt } from './helpers/agent-process.js';
import {
  acknowledge,
  startFakeCollector,
  type FakeCollector,
  type Responder,
} from './helpers/fake-collector.js';

// SIGHUP and SIGTERM sent to the built agent as a real process (SPEC §3.1), with a real HTTP
// server standing in for the collector. "Nothing lost" is read from the acknowledgements the
// stand-in gave: every seq from 1 to the last one must have been acknowledged.

let dir: string;
let configFile: string;
let collector: FakeCollector;
let acked: { seq: number; intervalMs: number; stopping: boolean }[];
const agents: AgentProcess[] = [];

beforeAll(assertBuilt);

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hostpulse-agent-signals-'));
  configFile = join(dir, 'agent.yaml');
  acked = [];
  collector = await startFakeCollector(acking);
});

afterEach(async () => {
  for (const agent of agents.splice(0)) await agent.stop();
  await collector.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Acknowledges like a collector and remembers what it acknowledged. */
const acking: Responder = (request, index) => {
  const batch = request.batch;
  if (batch) {
    acked.push({ seq: Number(batch.seq), intervalMs: batch.intervalMs, stopping: batch.stopping });
  }
  return acknowledge(request, index);
};

const overloaded: Responder = () => ({
  status: 503,
  headers: { 'retry-after': '1' },
  body: { error: { code: 'storage_unavailable', message: 'the database does not answer' } },
});

function writeConfig(interval: string): void {
  const lines = [
    `collector: { url: "${collector.url}", token: hp_t, timeout: 5s }`,
    `interval: ${interval}`,
    `buffer: { path: ${join(dir, 'agent.db')} }`,
  ];
  writeFileSync(configFile, `${lines.join('\n')}\n`);
}

function startAgent(): AgentProcess {
  const agent = new AgentProcess(configFile);
  agents.push(agent);
  return agent;
}

/**
 * Seqs never acknowledged. One acknowledged twice is a resend after an answer that came too late
 * on a loaded machine: this stand-in does not deduplicate, the real collector stores it once
 * (test/outage.test.ts and test/agent-crash.test.ts check that end to end).
 */
function seqProblems(): string[] {
  const seqs = new Set(acked.map((a) => a.seq));
  const last = Math.max(0, ...seqs);
  const problems: string[] = [];
  for (let seq = 1; seq <= last; seq += 1) {
    if (!seqs.has(seq)) problems.push(`seq ${seq} never acknowledged`);
  }
  return problems;
}

describe('SIGHUP', () => {
  it('with a valid new file: the interval changes and no buffered batch is lost', async () => {
    writeConfig('1s');
    const agent = startAgent();
    await agent.until('two batches acknowledged', () => acked.length >= 2);

    collector.answer = overloaded;
    const ackedBefore = acked.length;
    await agent.until('three batches buffered', () => collector.received.length >= ackedBefore + 3);
    writeConfig('2s');
    agent.signal('SIGHUP');
    await agent.until('the reload', () => agent.lines('configuration reloaded').length === 1);
    expect(agent.lines('configuration reloaded')[0]).toMatchObject({ intervalMs: 2000 });
    await new Promise((r) => setTimeout(r, 3_000));

    collector.answer = acking;
    const newIntervalAcked = () => acked.some((a) => a.intervalMs === 2000);
    await agent.until('a batch of the new interval acknowledged', newIntervalAcked, 30_000);
    expect(await agent.stop()).toBe(0);

    expect(seqProblems()).toEqual([]);
    const intervals = acked.sort((a, b) => a.seq - b.seq).map((a) => a.intervalMs);
    const firstNew = intervals.indexOf(2000);
    expect(intervals.slice(0, firstNew).every((ms) => ms === 1000)).toBe(true);
    expect(intervals.slice(firstNew).every((ms) => ms === 2000)).toBe(true);
    expect(firstNew).toBeGreaterThanOrEqual(ackedBefore + 3);
    expect(acked.at(-1)?.stopping).toBe(true);
  });

  it('with an invalid file: refused, logged, the old configuration keeps running', async () => {
    writeConfig('1s');
    const agent = startAgent();
    await agent.until('a first batch acknowledged', () => acked.length >= 1);

    const collectorLine = `collector: { url: "${collector.url}", token: hp_t }`;
    writeFileSync(configFile, `${collectorLine}\ninterval: soon\n`);
    agent.signal('SIGHUP');
    const refusal = 'reload refused; the running configuration stays';
    await agent.until('the refused reload', () => agent.lines(refusal).length === 1);
    const [refused] = agent.lines(refusal);
    expect(refused).toMatchObject({ level: 50, configFile });
    const problem =
      'agent.yaml: interval: "soon" is not a duration (write 500ms, 10s, 90m, 26h or 7d)';
    expect(refused?.problems).toEqual([problem]);

    const after = acked.length;
    await agent.until('three more batches', () => acked.length >= after + 3);
    expect(agent.isRunning).toBe(true);
    expect(acked.every((a) => a.intervalMs === 1000)).toBe(true);
    expect(await agent.stop()).toBe(0);
    expect(seqProblems()).toEqual([]);
  });
});

describe('SIGTERM', () => {
  it('during a send the collector holds: exits 0 within 5 s and loses nothing', async () => {
    writeConfig('1s');
    const agent = startAgent();
    await agent.until('two batches acknowledged', () => acked.length >= 2);

    collector.holding = true;
    const before = collector.received.length;
    await agent.until('a send held by the collector', () => collector.received.length > before);
    const signalledMs = Date.now();
    agent.signal('SIGTERM');
    const code = await agent.waitExit();
    const tookMs = Date.now() - signalledMs;
    process.stdout.write(`agent exited ${tookMs} ms after SIGTERM, its send held\n`);
    expect(code).toBe(0);
    // SPEC §3.1 bounds the stop at 5 s: a contract, not a speed figure.
    expect(tookMs).toBeLessThan(5_000);
    const [stopped] = agent.lines('agent stopped');
    expect(Number(stopped?.leftInBuffer)).toBeGreaterThanOrEqual(2);

    // What was left goes out after a restart, the goodbye batch among it, each seq once.
    collector.holding = false;
    const restarted = startAgent();
    const leftSeq = acked.length + Number(stopped?.leftInBuffer);
    await restarted.until('the batches left at the stop', () => acked.some((a) => a.seq > leftSeq));
    expect(await restarted.stop()).toBe(0);
    expect(seqProblems()).toEqual([]);
    expect(acked.filter((a) => a.stopping)).toHaveLength(2);
  });
});
