import { labelsKey, sameLabels, seriesKey } from './labels-key.js';
import type { Labels } from './storage.js';

// Agents send the same series in the same order every cycle, so each host's last list of
// series is kept: a series equal to the one at its position last time reuses the canonical
// labels key made then, instead of sorting and serialising its labels again. The strings
// handed back are the remembered ones, whose hashes V8 has already computed, so the caches
// keyed by them (series ids, refused series) look them up without hashing anew. A host whose
// series change only pays for the ones that moved. Whether a series repeats another in the
// batch is worked out when the list changes, and kept with it.

export interface SeriesIdentity {
  readonly metric: string;
  readonly labels: Labels;
  readonly labelsKey: string;
  /**
   * The series' id in the storage that owns these shapes, set once it is known to be committed.
   * A series row never changes, so it stays right; it spares a cache lookup per series.
   */
  id?: number;
}

export interface Identified {
  readonly identities: readonly SeriesIdentity[];
  /** The first series that repeats an earlier one of the batch (same metric and labels). */
  readonly repeat?: { readonly first: number; readonly again: number } | undefined;
}

interface HostShapes {
  readonly shapes: SeriesIdentity[];
  readonly repeat: Identified['repeat'];
}

export class SeriesShapes {
  private readonly byHost = new Map<string, HostShapes>();

  /**
   * Canonical identities of a host's series, in order, and whether one repeats another;
   * remembers them for its next batch, which when unchanged reuses both.
   */
  identify(hostId: string, series: readonly { metric: string; labels: Labels }[]): Identified {
    const before = this.byHost.get(hostId);
    const now = new Array<SeriesIdentity>(series.length);
    let changed = before?.shapes.length !== series.length;
    for (let i = 0; i < series.length; i++) {
      const { metric, labels } = series[i] as { metric: string; labels: Labels };
      const old = before?.shapes[i];
      // The same object: the ingest route handed back the labels it merged last time
      // (label-memory.ts).
      const same = old !== undefined && old.metric === metric &&
        (old.labels === labels || sameLabels(old.labels, labels));
      now[i] = same ? old : { metric, labels, labelsKey: labelsKey(labels) };
      if (!same) changed = true;
    }
    const repeat = before && !changed ? before.repeat : firstRepeat(now);
    this.byHost.set(hostId, { shapes: now, repeat });
    return { identities: now, repeat };
  }
}

function firstRepeat(shapes: readonly SeriesIdentity[]): Identified['repeat'] {
  const seen = new Map<string, number>();
  for (let i = 0; i < shapes.length; i++) {
    const key = seriesKey(shapes[i] as SeriesIdentity);
    const first = seen.get(key);
    if (first !== undefined) return { first, again: i };
    seen.set(key, i);
  }
  return undefined;
}
