import { isHostpulseError } from '@hostpulse/shared';
import { isUnavailable } from './pg-errors.js';
import type { StorableBatch } from './store-batches.js';

// Group commit for ingest. Invariants:
// - A batch alone is written at once; batches queue only while `maxInFlight` statements run,
//   and the next statement takes what queued meanwhile. Light load sees no added latency;
//   heavy load gets fewer, larger commits.
// - A statement never holds two batches of the same agent: their keys and host row updates
//   could collide. The later one waits for the next statement.
// - One bad batch never fails the others: when a group fails for any reason but an unreachable
//   database, each of its batches is written again alone and gets its own answer.

export type WriteGroup = (group: readonly StorableBatch[]) => Promise<boolean[]>;

interface Queued {
  readonly item: StorableBatch;
  resolve(fresh: boolean): void;
  reject(err: unknown): void;
}

export interface GroupLimits {
  readonly maxInFlight: number;
  /** A statement stops taking batches past this many samples: very long arrays parse slowly. */
  readonly maxSamples: number;
}

export class GroupWriter {
  private readonly queue: Queued[] = [];
  private inFlight = 0;

  constructor(
    private readonly write: WriteGroup,
    private readonly limits: GroupLimits,
  ) {}

  /** Resolves true when the batch was stored, false when its key was already there. */
  submit(item: StorableBatch): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.limits.maxInFlight && this.queue.length > 0) {
      const group = this.takeGroup();
      this.inFlight++;
      void this.run(group).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private takeGroup(): Queued[] {
    const group: Queued[] = [];
    const agents = new Set<string>();
    let samples = 0;
    for (let i = 0; i < this.queue.length; ) {
      const queued = this.queue[i] as Queued;
      const fits = group.length === 0 || samples + queued.item.values.length <= this.limits.maxSamples;
      if (!fits) break;
      if (agents.has(queued.item.batch.agentId)) {
        i++;
        continue;
      }
      agents.add(queued.item.batch.agentId);
      samples += queued.item.values.length;
      group.push(queued);
      this.queue.splice(i, 1);
    }
    return group;
  }

  /** Never rejects: every failure goes to the promises of the batches concerned. */
  private async run(group: readonly Queued[]): Promise<void> {
    try {
      const fresh = await this.write(group.map((q) => q.item));
      group.forEach((q, i) => q.resolve(fresh[i] === true));
    } catch (err) {
      if (group.length === 1 || isUnavailable(err) || isHostpulseError(err, 'storage_unavailable')) {
        for (const q of group) q.reject(err);
        return;
      }
      await Promise.all(group.map((q) => this.run([q])));
    }
  }
}
