import { labelsKey } from './labels-key.js';
import type { Labels } from './storage.js';

// Agents send the same series in the same order every cycle, so each host's last list of
// series is kept: a series equal to the one at its position last time reuses the canonical
// labels key made then, instead of sorting and serialising its labels again. The strings
// handed back are the remembered ones, whose hashes V8 has already computed, so the caches
// keyed by them (series ids, refused series) look them up without hashing anew. A host whose
// series change only pays for the ones that moved.

export interface SeriesIdentity {
  readonly metric: string;
  readonly labels: Labels;
  readonly labelsKey: string;
}

interface Shape extends SeriesIdentity {
  readonly labelCount: number;
}

export class SeriesShapes {
  private readonly byHost = new Map<string, Shape[]>();

  /** Canonical identities of a host's series, in order; remembers them for its next batch. */
  identify(hostId: string, series: readonly { metric: string; labels: Labels }[]): SeriesIdentity[] {
    const before = this.byHost.get(hostId);
    const now: Shape[] = new Array<Shape>(series.length);
    for (let i = 0; i < series.length; i++) {
      const { metric, labels } = series[i] as { metric: string; labels: Labels };
      const old = before?.[i];
      // The same object: the ingest route handed back the labels it merged last time (label-memory.ts).
      const same = old !== undefined && old.metric === metric && (old.labels === labels || sameLabels(old, labels));
      now[i] = same ? old : shapeOf(metric, labels);
    }
    this.byHost.set(hostId, now);
    return now;
  }
}

function shapeOf(metric: string, labels: Labels): Shape {
  return { metric, labels, labelsKey: labelsKey(labels), labelCount: Object.keys(labels).length };
}

function sameLabels(shape: Shape, labels: Labels): boolean {
  let count = 0;
  for (const name in labels) {
    if (shape.labels[name] !== labels[name]) return false;
    count++;
  }
  return count === shape.labelCount;
}
