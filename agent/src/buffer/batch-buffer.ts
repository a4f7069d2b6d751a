// The agent's buffer: every batch the agent made and the collector has not yet acknowledged,
// in one SQLite file (WAL, synchronous=FULL).
//
// Invariants:
// - A batch leaves `batches` only after the collector acknowledged its seq (200), after the
//   collector refused it for good (400: moved to `dead_letters` with the reason), after it was
//   replaced by its halves in the same transaction (413), or when a limit drops it (below).
// - seq only grows within an incarnation: next_seq in `meta` is read and advanced in the same
//   transaction that inserts the batch, and a split takes new seqs at the end.
// - The incarnation is made with the file and never changes; a fresh file (new install, damaged
//   file set aside) gets a new one, so the collector never takes new batches for old ones.
// - max_bytes and max_age drop the oldest batches first; every dropped batch is counted in
//   meta.dropped_total and covered by a row in `gaps`, in the same transaction.
// - The batch in flight (between beginSend and endSend) is never dropped: the collector may be
//   storing it, and a batch both stored and counted as lost would make the gap lie.
// - A gap is delivered with a batch that has never been sent before (its carrier), so a resend
//   that the collector discards as a duplicate never loses a gap. A gap leaves `gaps` when its
//   carrier is acknowledged; it is freed for the next carrier when the carrier is dead-lettered,
//   split or dropped.
// - Space that acknowledged batches leave is given back to the file system (reclaim.ts), so the
//   file shrinks after a backlog drains.
import type { Database } from 'better-sqlite3';
import type { Logger } from '@hostpulse/shared';
import { openBufferFile } from './open.js';
import { reclaimFreePages } from './reclaim.js';
import { readMeta, writeMeta } from './schema.js';

export interface BufferLimits {
  readonly maxBytes: number;
  readonly maxAgeMs: number;
}

export interface StoredBatch {
  readonly seq: number;
  readonly createdMs: number;
  readonly payload: Uint8Array;
  readonly bytes: number;
  readonly samples: number;
  readonly attempts: number;
}

export interface GapRecord {
  readonly fromMs: number;
  readonly toMs: number;
  readonly batches: number;
  readonly reason: DropReason;
}

export type DropReason = 'buffer_full' | 'too_old';

export interface PendingGap extends GapRecord {
  /** The batch that carries it, once one has been sent with it. */
  readonly carrierSeq: number | undefined;
}

export interface BufferStats {
  readonly batches: number;
  readonly bytes: number;
  readonly oldestCreatedMs: number | undefined;
  readonly droppedTotal: number;
  readonly deadLetters: number;
}

/** A new batch: how many samples it holds and how to encode it once its seq is known. */
export interface NewBatch {
  readonly createdMs: number;
  readonly samples: number;
  encode(seq: number, incarnation: string): Uint8Array;
}

export interface BufferOptions {
  readonly limits: BufferLimits;
  readonly log: Logger;
  readonly now?: () => number;
}

// Dead letters are kept for an operator to look at, not forever: past this many the oldest go.
const MAX_DEAD_LETTERS = 1000;

export class BatchBuffer {
  readonly incarnation: string;
  readonly setAsidePath: string | undefined;
  private limits: BufferLimits;
  private readonly now: () => number;
  private inFlightSeq: number | undefined;

  private constructor(
    private readonly db: Database,
    readonly path: string,
    private readonly log: Logger,
    options: BufferOptions,
    setAsidePath: string | undefined,
  ) {
    this.limits = options.limits;
    this.now = options.now ?? Date.now;
    this.incarnation = readMeta(db, 'incarnation') as string;
    this.setAsidePath = setAsidePath;
  }

  static open(path: string, options: BufferOptions): BatchBuffer {
    const now = options.now ?? Date.now;
    const { db, setAsidePath } = openBufferFile(path, options.log, now());
    return new BatchBuffer(db, path, options.log, options, setAsidePath);
  }

  setLimits(limits: BufferLimits): void {
    this.limits = limits;
  }

  /** Stores a batch under the next seq, then enforces the limits. Returns the seq. */
  append(batch: NewBatch): number {
    return this.db.transaction(() => {
      const seq = this.takeSeq();
      const payload = batch.encode(seq, this.incarnation);
      this.insert(seq, batch.createdMs, payload, batch.samples);
      this.enforceLimits();
      return seq;
    })();
  }

  /** The oldest batch still waiting for an acknowledgement. */
  oldest(): StoredBatch | undefined {
    const row = this.db
      .prepare(
        `SELECT seq, created_ms, payload, bytes, samples, attempts
         FROM batches ORDER BY seq LIMIT 1`,
      )
      .get() as BatchRow | undefined;
    return row && toStored(row);
  }

  /**
   * Called right before a batch goes out: counts the attempt and returns the gaps it carries.
   * Only a batch on its first attempt takes on free gaps (see the header).
   */
  beginSend(seq: number): GapRecord[] {
    return this.db.transaction(() => {
      const row = this.db.prepare('SELECT attempts FROM batches WHERE seq = ?').get(seq) as
        | { attempts: number }
        | undefined;
      if (!row) return [];
      this.inFlightSeq = seq;
      if (row.attempts === 0) {
        this.db.prepare('UPDATE gaps SET carrier_seq = ? WHERE carrier_seq IS NULL').run(seq);
      }
      this.db.prepare('UPDATE batches SET attempts = attempts + 1 WHERE seq = ?').run(seq);
      return this.gapRows('WHERE carrier_seq = ?', seq).map(({ carrierSeq: _, ...gap }) => gap);
    })();
  }

  /** The send that beginSend started has ended, whatever the answer: limits may drop it again. */
  endSend(seq: number): void {
    if (this.inFlightSeq === seq) this.inFlightSeq = undefined;
  }

  /** The collector stored the batch (or had stored it before): it and its gaps are done. */
  acknowledge(seq: number): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM batches WHERE seq = ?').run(seq);
      this.db.prepare('DELETE FROM gaps WHERE carrier_seq = ?').run(seq);
    })();
    this.reclaimSpace();
  }

  /** The collector refused the batch for good: keep it aside with the reason, go on. */
  deadLetter(seq: number, reason: string): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT OR REPLACE INTO dead_letters (seq, reason, payload, moved_ms)
           SELECT seq, ?, payload, ? FROM batches WHERE seq = ?`,
        )
        .run(reason, this.now(), seq);
      this.removeUnacknowledged([seq]);
      this.db
        .prepare(
          `DELETE FROM dead_letters
           WHERE seq NOT IN (SELECT seq FROM dead_letters ORDER BY seq DESC LIMIT ?)`,
        )
        .run(MAX_DEAD_LETTERS);
    })();
    this.reclaimSpace();
  }

  /**
   * Replaces a batch the collector found too large (and so never stored) by smaller ones with
   * new seqs, in one transaction: the data is never both absent and present twice.
   */
  replace(seq: number, parts: readonly NewBatch[]): number[] {
    return this.db.transaction(() => {
      this.removeUnacknowledged([seq]);
      return parts.map((part) => {
        const newSeq = this.takeSeq();
        this.insert(newSeq, part.createdMs, part.encode(newSeq, this.incarnation), part.samples);
        return newSeq;
      });
    })();
  }

  /** Drops batches older than max_age (append() does this too). */
  dropExpired(): number {
    return this.db.transaction(() => this.dropOlderThan(this.now() - this.limits.maxAgeMs))();
  }

  stats(): BufferStats {
    const row = this.db
      .prepare(
        `SELECT count(*) AS batches, coalesce(sum(bytes), 0) AS bytes, min(created_ms) AS oldest
         FROM batches`,
      )
      .get() as { batches: number; bytes: number; oldest: number | null };
    const dead = this.db.prepare('SELECT count(*) AS n FROM dead_letters').get() as { n: number };
    return {
      batches: row.batches,
      bytes: row.bytes,
      oldestCreatedMs: row.oldest ?? undefined,
      droppedTotal: Number(readMeta(this.db, 'dropped_total') ?? 0),
      deadLetters: dead.n,
    };
  }

  /** Gaps not yet acknowledged, oldest first (for tests and --once). */
  pendingGaps(): PendingGap[] {
    return this.gapRows('');
  }

  getMeta(key: string): string | undefined {
    return readMeta(this.db, key);
  }

  setMeta(key: string, value: string): void {
    writeMeta(this.db, key, value);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Shrinks the file once a backlog has gone (see reclaim.ts); never fails the caller. */
  private reclaimSpace(): void {
    try {
      const empty = this.db.prepare('SELECT 1 FROM batches LIMIT 1').get() === undefined;
      const { freedPages } = reclaimFreePages(this.db, empty);
      if (freedPages > 0) this.log.debug({ freedPages }, 'buffer file shrunk');
    } catch (err) {
      // The batch has left the buffer already; the room is reclaimed on a later call.
      this.log.warn({ err }, 'cannot shrink the buffer file');
    }
  }

  private gapRows(where: string, ...params: unknown[]): PendingGap[] {
    const rows = this.db
      .prepare(`SELECT from_ms, to_ms, batches, reason, carrier_seq FROM gaps ${where} ORDER BY id`)
      .all(...params) as GapRow[];
    return rows.map((g) => ({
      fromMs: g.from_ms,
      toMs: g.to_ms,
      batches: g.batches,
      reason: g.reason,
      carrierSeq: g.carrier_seq ?? undefined,
    }));
  }

  private insert(seq: number, createdMs: number, payload: Uint8Array, samples: number): void {
    this.db
      .prepare(
        'INSERT INTO batches (seq, created_ms, payload, bytes, samples) VALUES (?, ?, ?, ?, ?)',
      )
      .run(seq, createdMs, payload, payload.byteLength, samples);
  }

  private takeSeq(): number {
    const seq = Number(readMeta(this.db, 'next_seq'));
    writeMeta(this.db, 'next_seq', String(seq + 1));
    return seq;
  }

  private enforceLimits(): void {
    this.dropOlderThan(this.now() - this.limits.maxAgeMs);
    const sum = this.db.prepare('SELECT coalesce(sum(bytes), 0) AS n FROM batches').get();
    const total = (sum as { n: number }).n;
    if (total <= this.limits.maxBytes) return;

    // Oldest first, but never the newest batch: a lone batch above max_bytes is still kept
    // (and sent), since dropping it would lose data without freeing room for anything.
    const rows = this.db
      .prepare('SELECT seq, created_ms, bytes FROM batches ORDER BY seq')
      .all() as Pick<BatchRow, 'seq' | 'created_ms' | 'bytes'>[];
    const victims: typeof rows = [];
    let remaining = total;
    for (const row of rows.slice(0, -1)) {
      if (remaining <= this.limits.maxBytes) break;
      if (row.seq === this.inFlightSeq) continue;
      victims.push(row);
      remaining -= row.bytes;
    }
    this.drop(victims, 'buffer_full');
  }

  private dropOlderThan(cutoffMs: number): number {
    const rows = this.db
      .prepare('SELECT seq, created_ms, bytes FROM batches WHERE created_ms < ? ORDER BY seq')
      .all(cutoffMs) as Pick<BatchRow, 'seq' | 'created_ms' | 'bytes'>[];
    const victims = rows.filter((row) => row.seq !== this.inFlightSeq);
    this.drop(victims, 'too_old');
    return victims.length;
  }

  private drop(rows: readonly Pick<BatchRow, 'seq' | 'created_ms'>[], reason: DropReason): void {
    if (rows.length === 0) return;
    this.removeUnacknowledged(rows.map((r) => r.seq));
    const dropped = Number(readMeta(this.db, 'dropped_total') ?? 0) + rows.length;
    writeMeta(this.db, 'dropped_total', String(dropped));
    const times = rows.map((r) => r.created_ms);
    const fromMs = Math.min(...times);
    const gap = { fromMs, toMs: Math.max(...times), batches: rows.length, reason };
    this.recordGap(gap);
    this.log.error({ ...gap, droppedTotal: dropped }, 'buffer dropped its oldest batches');
  }

  /** One gap per run of drops: extends the newest free gap of the same reason when adjacent. */
  private recordGap(gap: GapRecord): void {
    const last = this.db
      .prepare(
        'SELECT id, to_ms, reason FROM gaps WHERE carrier_seq IS NULL ORDER BY id DESC LIMIT 1',
      )
      .get() as { id: number; to_ms: number; reason: string } | undefined;
    if (last && last.reason === gap.reason && last.to_ms <= gap.fromMs) {
      this.db
        .prepare('UPDATE gaps SET to_ms = ?, batches = batches + ? WHERE id = ?')
        .run(gap.toMs, gap.batches, last.id);
      return;
    }
    this.db
      .prepare('INSERT INTO gaps (from_ms, to_ms, batches, reason) VALUES (?, ?, ?, ?)')
      .run(gap.fromMs, gap.toMs, gap.batches, gap.reason);
  }

  /** Deletes batches that leave without an acknowledgement; their gaps wait for a new carrier. */
  private removeUnacknowledged(seqs: readonly number[]): void {
    const remove = this.db.prepare('DELETE FROM batches WHERE seq = ?');
    const free = this.db.prepare('UPDATE gaps SET carrier_seq = NULL WHERE carrier_seq = ?');
    for (const seq of seqs) {
      remove.run(seq);
      free.run(seq);
    }
  }
}

interface BatchRow {
  seq: number;
  created_ms: number;
  payload: Buffer;
  bytes: number;
  samples: number;
  attempts: number;
}

interface GapRow {
  from_ms: number;
  to_ms: number;
  batches: number;
  reason: DropReason;
  carrier_seq: number | null;
}

function toStored(row: BatchRow): StoredBatch {
  return {
    seq: row.seq,
    createdMs: row.created_ms,
    payload: row.payload,
    bytes: row.bytes,
    samples: row.samples,
    attempts: row.attempts,
  };
}
