import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@hostpulse/shared';
import { BatchBuffer } from '../src/buffer/batch-buffer.js';
import { AgentProcess, assertBuilt, runOnceJson, runOnceText } from './helpers/agent-process.js';
import { acknowledge, startFakeCollector, type FakeCollector } from './helpers/fake-collector.js';

// The built agent as a real process against a real HTTP server standing in for the collector:
// what it does with a damaged buffer file at start, and how a batch the collector refuses as
// invalid ends in the dead letters that --once shows.

let dir: string;
let bufferPath: string;
let collector: FakeCollector;
const agents: AgentProcess[] = [];

beforeAll(assertBuilt);

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hostpulse-agent-buffer-'));
  bufferPath = join(dir, 'agent.db');
  collector = await startFakeCollector();
});

afterEach(async () => {
  for (const agent of agents.splice(0)) await agent.stop();
  await collector.close();
  rmSync(dir, { recursive: true, force: true });
});

function config(): string {
  const file = join(dir, 'agent.yaml');
  const lines = [
    `collector: { url: "${collector.url}", token: hp_t, timeout: 2s }`,
    'interval: 1s',
    `buffer: { path: ${bufferPath} }`,
  ];
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function startAgent(): AgentProcess {
  const agent = new AgentProcess(config());
  agents.push(agent);
  return agent;
}

/** A buffer file as a previous run left it: closed, with 100 unsent batches of 4 KB. */
function writeBufferWithBatches(): string {
  const limits = { maxBytes: 1e9, maxAgeMs: 1e15 };
  const buffer = BatchBuffer.open(bufferPath, { limits, log: silentLogger() });
  for (let i = 0; i < 100; i += 1) {
    buffer.append({ createdMs: i, samples: 1, encode: () => randomBytes(4000) });
  }
  const { incarnation } = buffer;
  buffer.close();
  return incarnation;
}

const SET_ASIDE = 'buffer file is damaged; set it aside and started a fresh buffer';

describe('agent started on a damaged buffer file', () => {
  it.each([
    ['cut to half its size (a full disk, a bad copy)', () => {
      truncateSync(bufferPath, Math.floor(statSync(bufferPath).size / 2));
    }],
    ['with random bytes written over its header', () => {
      const fd = openSync(bufferPath, 'r+');
      writeSync(fd, randomBytes(100), 0, 100, 0);
      closeSync(fd);
    }],
    ['replaced by a file that is not SQLite at all', () => {
      writeFileSync(bufferPath, 'log line, not a database\n'.repeat(500));
    }],
  ])('sets the file aside, starts afresh and runs on when it was %s', async (_what, damage) => {
    const oldIncarnation = writeBufferWithBatches();
    damage();

    const agent = startAgent();
    const anyBatch = () => collector.received.some((r) => r.batch);
    await agent.until('a batch from the fresh buffer', anyBatch);
    const [line] = agent.lines(SET_ASIDE);
    expect(line).toMatchObject({ level: 50, path: bufferPath });
    expect(String(line?.setAsidePath)).toMatch(/agent\.db\.corrupt-\d{8}T\d{6}Z$/);
    expect(String(line?.help)).toContain('delete it');
    expect(String(line?.damage)).not.toBe('');
    expect(existsSync(String(line?.setAsidePath))).toBe(true);
    const first = collector.received.find((r) => r.batch)?.batch;
    expect(first?.incarnation).not.toBe(oldIncarnation);
    expect(first?.seq).toBe(1);
    expect(await agent.stop()).toBe(0);

    // Not a crash loop: the next start finds the fresh buffer sound and goes on with it.
    const again = startAgent();
    const before = collector.received.length;
    const batchSinceRestart = () => collector.received.slice(before).some((r) => r.batch);
    await again.until('a batch after the restart', batchSinceRestart);
    expect(again.lines(SET_ASIDE)).toEqual([]);
    expect(collector.received.at(-1)?.batch?.incarnation).toBe(first?.incarnation);
    expect(readdirSync(dir).filter((f) => /^agent\.db\.corrupt-[^-]+$/.test(f))).toHaveLength(1);
    expect(await again.stop()).toBe(0);
  });
});

describe('agent whose batch the collector refuses as invalid', () => {
  it('moves it to dead letters with the reason, goes on, and --once shows it', async () => {
    const reason = 'series[3] has an invalid metric name "bad metric!"';
    collector.answer = (request, index) =>
      request.batch?.seq === 2
        ? { status: 400, body: { error: { code: 'batch_invalid', message: reason } } }
        : acknowledge(request, index);

    const agent = startAgent();
    const fourthSent = () => collector.received.some((r) => r.batch?.seq === 4);
    await agent.until('batch 4 acknowledged', fourthSent);
    const [line] = agent.lines('collector rejected a batch; moved it to dead letters');
    expect(line).toMatchObject({ level: 50, seq: 2, reason: `batch_invalid: ${reason}` });
    expect(await agent.stop()).toBe(0);

    const json = runOnceJson(join(dir, 'agent.yaml'));
    expect(json.report.buffer).toMatchObject({
      deadLetters: 1,
      lastDeadLetter: { seq: 2, reason: `batch_invalid: ${reason}` },
      batches: 0,
    });
    const text = runOnceText(join(dir, 'agent.yaml'));
    expect(text.stdout).toContain('dead letters: 1');
    expect(text.stdout).toContain(`last dead letter: seq 2: batch_invalid: ${reason}`);
    // Every batch but the refused one was delivered once.
    const seqs = collector.received.flatMap((r) => (r.batch ? [Number(r.batch.seq)] : []));
    expect(seqs.filter((s) => s === 3)).toHaveLength(1);
  });
});
