// At most `limit` sends under way at once. A task's failure is kept and thrown by drain(), so
// a refused token stops the run instead of vanishing in a promise nobody awaits.

export class InFlight {
  private readonly running = new Set<Promise<void>>();
  private failure: unknown;

  constructor(private readonly limit: number) {}

  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** Waits for a free slot, then starts the task without waiting for it to end. */
  async start(task: () => Promise<void>): Promise<void> {
    while (this.running.size >= this.limit) await Promise.race(this.running);
    const promise = task().then(
      () => undefined,
      (err: unknown) => {
        this.failure ??= err;
      },
    );
    const tracked = promise.finally(() => this.running.delete(tracked));
    this.running.add(tracked);
  }

  /** Waits for every started task; throws the first failure. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.race(this.running);
    if (this.failure !== undefined) throw this.failure;
  }
}
