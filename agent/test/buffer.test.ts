import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { silentLogger } from '@hostpulse/shared';
import { BatchBuffer, type NewBatch } from '../src/buffer/batch-buffer.js';
import { readBufferState } from '../src/buffer/read-state.js';
import { createSchema } from '../src/buffer/schema.js';
import { memoryLog } from './helpers/memory-log.js';

// Integration tests on real SQLite files in a temp folder.

let dir: string;
let path: string;
const open: BatchBuffer[] = [];
const roomy = { maxBytes: 1e9, maxAgeMs: 1e15 };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hostpulse-buffer-'));
  path = join(dir, 'agent.db');
});

afterEach(() => {
  for (const b of open.splice(0)) b.close();
  rmSync(dir, { recursive: true, force: true });
});

function openBuffer(options: { limits?: typeof roomy; now?: () => number; log?: ReturnType<typeof silentLogger> } = {}): BatchBuffer {
  const buffer = BatchBuffer.open(path, { limits: options.limits ?? roomy, log: options.log ?? silentLogger(), now: options.now });
  open.push(buffer);
  return buffer;
}

/** A batch of exactly `bytes` bytes whose content names its seq. */
function batch(createdMs: number, bytes = 100): NewBatch {
  return {
    createdMs,
    samples: 1,
    encode: (seq) => {
      const out = Buffer.alloc(bytes, 0x20);
      out.write(`seq ${seq}`);
      return out;
    },
  };
}

describe('BatchBuffer bookkeeping', () => {
  it('keeps a batch until acknowledged, dead-lettered or replaced, with seq only growing', () => {
    const buffer = openBuffer();
    expect([1, 2, 3].map((i) => buffer.append(batch(i * 1000)))).toEqual([1, 2, 3]);
    expect(buffer.oldest()?.seq).toBe(1);

    buffer.beginSend(1);
    expect(buffer.oldest()?.seq).toBe(1);
    expect(buffer.oldest()?.attempts).toBe(1);
    buffer.acknowledge(1);
    expect(buffer.oldest()?.seq).toBe(2);

    buffer.deadLetter(2, 'batch_invalid: series[0] has an invalid metric name');
    expect(buffer.stats()).toMatchObject({ batches: 1, deadLetters: 1, droppedTotal: 0 });

    expect(buffer.replace(3, [batch(3000), batch(3000)])).toEqual([4, 5]);
    expect(buffer.stats().batches).toBe(2);
    expect(buffer.oldest()?.seq).toBe(4);
    expect(Buffer.from(buffer.oldest()!.payload).toString().trim()).toBe('seq 4');
    expect(buffer.append(batch(6000))).toBe(6);
  });

  it('keeps its incarnation and seq across a reopen', () => {
    const first = openBuffer();
    first.append(batch(1));
    first.append(batch(2));
    const incarnation = first.incarnation;
    first.close();
    const again = openBuffer();
    expect(again.incarnation).toBe(incarnation);
    expect(again.stats().batches).toBe(2);
    expect(again.append(batch(3))).toBe(3);
  });

  it('gives a new file a new incarnation', () => {
    const first = openBuffer();
    const incarnation = first.incarnation;
    first.close();
    rmSync(path);
    expect(openBuffer().incarnation).not.toBe(incarnation);
  });
});

describe('BatchBuffer limits', () => {
  it('past max_bytes drops exactly the oldest batches; the counter and the gap record agree', () => {
    const { log, lines } = memoryLog();
    const buffer = openBuffer({ limits: { maxBytes: 350, maxAgeMs: 1e15 }, log });
    for (let i = 1; i <= 6; i++) buffer.append(batch(i * 1000));

    const left = [] as number[];
    for (let b = buffer.oldest(); b; b = buffer.oldest()) {
      left.push(b.seq);
      buffer.acknowledge(b.seq);
    }
    expect(left).toEqual([4, 5, 6]);
    expect(buffer.stats().droppedTotal).toBe(3);
    expect(buffer.pendingGaps()).toEqual([{ fromMs: 1000, toMs: 3000, batches: 3, reason: 'buffer_full', carrierSeq: undefined }]);
    expect(lines.filter((l) => l.msg === 'buffer dropped its oldest batches').every((l) => l.level === 50)).toBe(true);
  });

  it('keeps a lone batch larger than max_bytes rather than drop the newest', () => {
    const buffer = openBuffer({ limits: { maxBytes: 50, maxAgeMs: 1e15 } });
    buffer.append(batch(1000, 100));
    buffer.append(batch(2000, 100));
    expect(buffer.stats()).toMatchObject({ batches: 1, droppedTotal: 1 });
    expect(buffer.oldest()?.seq).toBe(2);
  });

  it('never drops the batch in flight, which the collector may be storing', () => {
    let now = 10_000;
    const limits = { maxBytes: 350, maxAgeMs: 60_000 };
    const buffer = openBuffer({ limits, now: () => now });
    for (let i = 1; i <= 3; i++) buffer.append(batch(i * 1000));
    buffer.beginSend(1);

    buffer.append(batch(4000));
    expect(remainingSeqs()).toEqual([1, 3, 4]);
    now = 1_000_000;
    expect(buffer.dropExpired()).toBe(2);
    expect(remainingSeqs()).toEqual([1]);
    expect(buffer.stats().droppedTotal).toBe(3);

    buffer.endSend(1);
    buffer.append(batch(now));
    expect(remainingSeqs()).toEqual([5]);
    expect(buffer.stats().droppedTotal).toBe(4);
  });

  it('past max_age drops the batches that are too old, as a too_old gap', () => {
    let now = 10_000;
    const buffer = openBuffer({ limits: { maxBytes: 1e9, maxAgeMs: 5000 }, now: () => now });
    buffer.append(batch(6000));
    buffer.append(batch(8000));
    now = 13_000;
    expect(buffer.dropExpired()).toBe(1);
    expect(buffer.stats()).toMatchObject({ batches: 1, droppedTotal: 1 });
    expect(buffer.pendingGaps()).toEqual([{ fromMs: 6000, toMs: 6000, batches: 1, reason: 'too_old', carrierSeq: undefined }]);
  });

  it('gives a gap to the next batch never sent before, and frees it when that batch is refused', () => {
    const buffer = openBuffer({ limits: { maxBytes: 250, maxAgeMs: 1e15 } });
    buffer.append(batch(1000));
    buffer.append(batch(2000));
    expect(buffer.beginSend(1)).toEqual([]);
    buffer.endSend(1); // no answer came (lost, or a timeout)
    buffer.append(batch(3000)); // drops seq 1, which was already sent once
    // seq 2 has never been sent: it carries the gap, on every attempt.
    const gap = { fromMs: 1000, toMs: 1000, batches: 1, reason: 'buffer_full' };
    expect(buffer.beginSend(2)).toEqual([gap]);
    expect(buffer.beginSend(2)).toEqual([gap]);
    buffer.deadLetter(2, 'batch_invalid: test');
    expect(buffer.beginSend(3)).toEqual([gap]);
    buffer.acknowledge(3);
    expect(buffer.pendingGaps()).toEqual([]);
  });

  it('does not hand a gap to a batch that was sent before it was recorded', () => {
    const buffer = openBuffer({ limits: { maxBytes: 250, maxAgeMs: 1e15 } });
    buffer.append(batch(1000));
    buffer.append(batch(2000));
    for (const seq of [1, 2]) {
      buffer.beginSend(seq);
      buffer.endSend(seq);
    }
    buffer.append(batch(3000));
    expect(buffer.beginSend(2)).toEqual([]);
    expect(buffer.beginSend(3)).toHaveLength(1);
  });
});

describe('BatchBuffer on a damaged file', () => {
  it('sets a file that is not a database aside and starts a fresh buffer', () => {
    writeFileSync(path, 'this is not an SQLite file '.repeat(400));
    const { log, lines } = memoryLog();
    const buffer = openBuffer({ log, now: () => Date.parse('2026-12-04T10:00:00Z') });
    expect(buffer.setAsidePath).toBe(`${path}.corrupt-20261204T100000Z`);
    expect(readFileSync(buffer.setAsidePath!, 'utf8')).toContain('not an SQLite file');
    expect(buffer.append(batch(1))).toBe(1);
    const error = lines.find((l) => l.level === 50);
    expect(error).toMatchObject({ path, setAsidePath: buffer.setAsidePath, msg: 'buffer file is damaged; set it aside and started a fresh buffer' });
  });

  it('sets a truncated buffer aside and starts a fresh incarnation', () => {
    const first = openBuffer();
    for (let i = 0; i < 200; i++) first.append(batch(i, 2000));
    const incarnation = first.incarnation;
    first.close();
    truncateSync(path, Math.floor(statSync(path).size / 2));

    const buffer = openBuffer({ log: memoryLog().log });
    expect(buffer.setAsidePath).toBeDefined();
    expect(buffer.incarnation).not.toBe(incarnation);
    expect(buffer.stats().batches).toBe(0);
    expect(buffer.append(batch(1))).toBe(1);
    expect(readdirSync(dir).some((f) => f.startsWith('agent.db.corrupt-'))).toBe(true);
  });
});

describe('BatchBuffer file size', () => {
  const onDisk = () => ['', '-wal'].reduce((sum, s) => sum + (existsSync(path + s) ? statSync(path + s).size : 0), 0);

  it('gives the room of a drained backlog back to the file system', () => {
    const buffer = openBuffer();
    const seqs = Array.from({ length: 500 }, (_, i) => buffer.append(batch(i, 8000)));
    const peak = onDisk();
    expect(peak).toBeGreaterThan(4_000_000);

    for (const seq of seqs) buffer.acknowledge(seq);
    const drained = onDisk();
    expect(drained).toBeLessThan(200_000);
    expect(buffer.append(batch(1000))).toBe(501);
  });

  it('does not wait for a reader holding a snapshot, and shrinks once it is gone', () => {
    const buffer = openBuffer();
    const seqs = Array.from({ length: 300 }, (_, i) => buffer.append(batch(i, 8000)));
    const reader = new Database(path, { readonly: true });
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM batches').get();

    for (const seq of seqs.slice(0, 200)) buffer.acknowledge(seq);
    reader.exec('COMMIT');
    reader.close();
    for (const seq of seqs.slice(200)) buffer.acknowledge(seq);
    expect(onDisk()).toBeLessThan(200_000);
  });

  it('rewrites once a file made without incremental vacuum, keeping its batches', () => {
    const old = new Database(path);
    old.pragma('journal_mode = WAL');
    createSchema(old, 0);
    old.close();
    const before = new Database(path, { readonly: true });
    expect(before.pragma('auto_vacuum', { simple: true })).toBe(0);
    before.close();

    const { log, lines } = memoryLog();
    const buffer = openBuffer({ log });
    buffer.append(batch(1));
    buffer.close();
    const reopened = new Database(path, { readonly: true });
    expect(reopened.pragma('auto_vacuum', { simple: true })).toBe(2);
    reopened.close();
    expect(lines.map((l) => l.msg)).toContain('buffer file rewritten once so that it shrinks after a backlog');
    expect(openBuffer().stats().batches).toBe(1);
  });
});

describe('BatchBuffer across a kill -9', () => {
  it('keeps every committed batch after the writing process is killed', async () => {
    const script = resolve(import.meta.dirname, 'helpers', 'write-batches.mjs');
    if (!existsSync(resolve(import.meta.dirname, '..', 'dist', 'buffer', 'batch-buffer.js'))) {
      throw new Error('agent/dist is missing: run `npx tsc -b` first');
    }
    const child = spawn(process.execPath, [script, path, '25'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    await new Promise<void>((done, fail) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('committed 25\n')) done();
      });
      child.once('exit', (code) => fail(new Error(`writer exited early with ${code}: ${out}`)));
    });
    child.kill('SIGKILL');
    await new Promise((done) => child.once('exit', done));

    expect(readBufferState(path)).toMatchObject({ exists: true, batches: 25 });
    const buffer = openBuffer();
    expect(buffer.setAsidePath).toBeUndefined();
    expect(buffer.stats().batches).toBe(25);
    expect(buffer.append(batch(1))).toBe(26);
  });
});

describe('readBufferState', () => {
  it('reads a closed buffer without creating any file beside it', () => {
    const buffer = openBuffer();
    buffer.append(batch(1000, 120));
    buffer.deadLetter(buffer.append(batch(2000)), 'batch_invalid: test');
    buffer.close();
    const before = readdirSync(dir).sort();
    expect(readBufferState(path)).toMatchObject({ exists: true, batches: 1, bytes: 120, oldestCreatedMs: 1000, deadLetters: 1 });
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it('reads a buffer that the daemon holds open', () => {
    const buffer = openBuffer();
    buffer.append(batch(1000));
    expect(readBufferState(path)).toMatchObject({ batches: 1, incarnation: buffer.incarnation });
  });

  it('says when there is no buffer yet', () => {
    expect(readBufferState(join(dir, 'none.db'))).toMatchObject({ exists: false, batches: 0 });
  });
});

/** The seqs in the buffer file, read over a second connection as --once would. */
function remainingSeqs(): number[] {
  const reader = new Database(path, { readonly: true });
  try {
    const rows = reader.prepare('SELECT seq FROM batches ORDER BY seq').all() as { seq: number }[];
    return rows.map((r) => r.seq);
  } finally {
    reader.close();
  }
}
