// Series ids by (host, metric, labels key), kept in process. A series row never changes once
// made, so an entry never goes stale; ids enter only after the transaction that read or made
// them has committed, so a rolled-back series is never remembered. Nested maps rather than one
// joined key: a lookup per sample series then allocates nothing.

export class SeriesCache {
  private readonly byHost = new Map<string, Map<string, Map<string, number>>>();

  get(hostId: string, metric: string, labelsKey: string): number | undefined {
    return this.byHost.get(hostId)?.get(metric)?.get(labelsKey);
  }

  set(hostId: string, metric: string, labelsKey: string, id: number): void {
    let byMetric = this.byHost.get(hostId);
    if (!byMetric) this.byHost.set(hostId, (byMetric = new Map()));
    let byLabels = byMetric.get(metric);
    if (!byLabels) byMetric.set(metric, (byLabels = new Map()));
    byLabels.set(labelsKey, id);
  }
}
