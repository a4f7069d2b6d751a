// Series ids by (host, metric, labels key), kept in process. A series row never changes once
// made, so an entry never goes stale; ids enter only after the transaction that read or made
// them has committed, so a rolled-back series is never remembered.

export class SeriesCache {
  private readonly ids = new Map<string, number>();

  get(hostId: string, metric: string, labelsKey: string): number | undefined {
    return this.ids.get(cacheKey(hostId, metric, labelsKey));
  }

  set(hostId: string, metric: string, labelsKey: string, id: number): void {
    this.ids.set(cacheKey(hostId, metric, labelsKey), id);
  }
}

function cacheKey(hostId: string, metric: string, labelsKey: string): string {
  // NUL cannot appear in a PostgreSQL text value, so it cannot make two keys collide.
  return `${hostId}\u0000${metric}\u0000${labelsKey}`;
}
