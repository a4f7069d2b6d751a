import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoragePolicy } from '../src/storage/policy.js';
import type { Aggregation, IngestSeries, MaintenanceResult, Storage } from '../src/storage/storage.js';
import { batchOf, seriesOf, type OpenedTestStorage } from './storage.suite.js';

// Rollups, retention and the series limit, the same on both backends. The data lives around
// B, a UTC midnight long before the other suite's T0, so retention here drops none of theirs.

const B = 1_689_984_000_000;
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** One sample a minute for two days, values that make every aggregate differ. */
const SAMPLES: [number, number][] = Array.from({ length: 2 * 24 * 60 }, (_, i) => [B + i * MIN, ((i * 7) % 13) + 0.5]);

/** The points raw samples give: one per step bucket, aggregated in JS. */
export function expected(samples: [number, number][], fromMs: number, toMs: number, stepMs: number, agg: Aggregation) {
  const buckets = new Map<number, number[]>();
  for (const [t, v] of [...samples].sort((a, b) => a[0] - b[0])) {
    if (t < fromMs || t > toMs) continue;
    const bucket = t - (t % stepMs);
    buckets.set(bucket, [...(buckets.get(bucket) ?? []), v]);
  }
  const pick = (vs: number[]) =>
    agg === 'avg' ? vs.reduce((a, b) => a + b, 0) / vs.length
      : agg === 'min' ? Math.min(...vs) : agg === 'max' ? Math.max(...vs) : (vs.at(-1) as number);
  return [...buckets.entries()].map(([t, vs]) => [t, pick(vs)] as const);
}

export function expectPoints(actual: readonly (readonly [number, number])[] | undefined, wanted: (readonly [number, number])[]) {
  expect(actual?.map((p) => p[0])).toEqual(wanted.map((p) => p[0]));
  actual?.forEach((p, i) => expect(p[1]).toBeCloseTo((wanted[i] as readonly [number, number])[1], 9));
}

/** A migrated storage of `policy` for the describe block it is called in, closed after it. */
function storageFor(
  open: (policy?: StoragePolicy) => Promise<OpenedTestStorage>,
  policy?: StoragePolicy,
): () => Storage {
  let opened: OpenedTestStorage | undefined;
  beforeAll(async () => {
    opened = await open(policy);
    await opened.storage.migrate();
  });
  afterAll(async () => {
    await opened?.close();
  });
  return () => (opened as OpenedTestStorage).storage;
}

export function registerMaintenanceSuite(
  backend: string,
  open: (policy?: StoragePolicy) => Promise<OpenedTestStorage>,
): void {
  describe(`storage maintenance on ${backend}`, () => {
    const current = storageFor(open);

    it('answers long stepped queries from rollups as raw would, late data included, across retention', async () => {
      const storage = current();
      const agentId = `roll-${randomUUID().slice(0, 8)}`;
      const metric = `rolled_${agentId.replace(/-/g, '_')}`;
      await storage.ingest(batchOf({ agentId, receivedMs: B + 2 * DAY, series: [seriesOf(metric, SAMPLES)] }));
      const query = (fromMs: number, toMs: number, stepMs: number | undefined, agg: Aggregation) =>
        storage.query({ metric, labels: {}, fromMs, toMs, stepMs, agg, maxPoints: 10_000 }).then((r) => r[0]?.points);

      expect((await storage.rollUp(B + 2 * DAY + 10 * MIN)).ran).toBe(true);
      // A sample arriving late, into a bucket already rolled up: it counts at once, and the next
      // run takes it into that bucket's rollup.
      const late: [number, number] = [B + 30_000, 100];
      await storage.ingest(batchOf({ agentId, seq: 2, receivedMs: B + 2 * DAY, series: [seriesOf(metric, [late])] }));
      const all = [...SAMPLES, late];
      for (const run of ['before', 'after'] as const) {
        if (run === 'after') await storage.rollUp(B + 2 * DAY + 11 * MIN);
        for (const agg of ['avg', 'min', 'max', 'last'] as const) {
          expectPoints(await query(B, B + 2 * DAY - 1, HOUR, agg), expected(all, B, B + 2 * DAY - 1, HOUR, agg));
        }
      }
      // Edges that cut 5-minute buckets come from raw samples.
      const [from, to] = [B + 7 * MIN + 1, B + 30 * HOUR + 3 * MIN];
      expectPoints(await query(from, to, 15 * MIN, 'avg'), expected(all, from, to, 15 * MIN, 'avg'));

      // Raw samples of the first day go; rollups still answer for it, and across the edge.
      const result = await storage.applyRetention(B + DAY + 15 * DAY);
      expect(result.ran).toBe(true);
      const raw = await query(B, B + 2 * DAY, undefined, 'avg');
      expect(raw?.[0]?.[0]).toBeGreaterThanOrEqual(B + DAY);
      expectPoints(await query(B, B + 2 * DAY - 1, HOUR, 'max'), expected(all, B, B + 2 * DAY - 1, HOUR, 'max'));
      const edge = [B + 20 * HOUR, B + 28 * HOUR - 1] as const;
      expectPoints(await query(...edge, HOUR, 'avg'), expected(all, ...edge, HOUR, 'avg'));
    });
  });

  describe(`late data in rollup answers on ${backend}`, () => {
    const current = storageFor(open);

    // An agent's buffer after an outage lands in hours the rollup job finished. A rollup answer
    // must count every sample once, late ones included, before the next run and after it, and
    // so give what the raw samples give; for the host's series that got no late sample too.
    it('answers a late batch in a rolled-up hour as raw samples would, before and after the next run', async () => {
      const storage = current();
      const suffix = randomUUID().slice(0, 8);
      const [outage, steady] = [`late-${suffix}`, `steady-${suffix}`];
      const metric = `late_${suffix}`;
      const day = SAMPLES.slice(0, 24 * 60);
      const other = day.map(([t, v]) => [t, -v] as [number, number]);
      const now = B + DAY + 10 * MIN;
      await storage.ingest(batchOf({
        agentId: outage, receivedMs: now, series: [seriesOf(metric, day, { n: '1' }), seriesOf(metric, other, { n: '2' })],
      }));
      await storage.ingest(batchOf({ agentId: steady, receivedMs: now, series: [seriesOf(metric, day)] }));
      expect((await storage.rollUp(now)).ran).toBe(true);

      // Into hour 5: a new extreme, a sample between two others, and one at the hour's newest
      // time with a larger value (it wins `last`); one more far off, in hour 2.
      const late: [number, number][] = [[B + 5 * HOUR + 30_000, 100], [B + 5 * HOUR + 17 * MIN + 10_000, -50],
        [B + 5 * HOUR + 59 * MIN, 1_000], [B + 2 * HOUR + MIN + 1, 3.25]];
      await storage.ingest(batchOf({ agentId: outage, seq: 2, receivedMs: now + MIN, series: [seriesOf(metric, late, { n: '1' })] }));

      const [from, to] = [B, B + DAY];
      const answer = async (stepMs: number | undefined, agg: Aggregation) => {
        const result = await storage.query({ metric, labels: {}, fromMs: from, toMs: to, stepMs, agg, maxPoints: 10_000 });
        return result.map((s) => [s.hostId, s.labels.n, s.points] as const);
      };
      const raw = await answer(undefined, 'avg');
      expect(raw.map(([host, n, points]) => [host, n, points.length])).toEqual([
        [outage, '1', day.length + late.length], [outage, '2', day.length], [steady, undefined, day.length],
      ]);
      for (const run of ['before', 'after'] as const) {
        if (run === 'after') expect((await storage.rollUp(now + 5 * MIN)).ran).toBe(true);
        for (const stepMs of [HOUR, 5 * MIN]) {
          for (const agg of ['avg', 'min', 'max', 'last'] as const) {
            const stepped = await answer(stepMs, agg);
            expect(stepped.map(([host, n]) => [host, n])).toEqual(raw.map(([host, n]) => [host, n]));
            stepped.forEach(([, , points], i) => {
              const samples = (raw[i]?.[2] ?? []).map((p) => [p[0], p[1]] as [number, number]);
              expectPoints(points, expected(samples, from, to, stepMs, agg));
            });
          }
        }
      }
    });
  });

  describe(`last with two samples at one time on ${backend}`, () => {
    const current = storageFor(open);

    // An agent whose clock stepped back, or a batch sent again under a new key, can give a
    // series two samples at one time with different values. The rule (docs/storage.md): the
    // larger wins, whichever arrived first and whether raw samples or rollups answer.
    it('answers the larger value at the newest time from raw samples, steps, rollups and latest', async () => {
      const storage = current();
      const agentId = `tie-${randomUUID().slice(0, 8)}`;
      const metric = 'tied_metric';
      const tied = B + 7 * MIN;
      // Per series (label `order`): its value at `tied` in its first batch and in its second.
      // `same-run` gets the second before the first rollup run, the others after it, late.
      const cases = { 'same-run': [9, 4], 'larger-first': [9, -4], 'larger-second': [-4, 9] } as const;
      type Order = keyof typeof cases;
      const orders = Object.keys(cases) as Order[];
      const first = orders.map((order) => seriesOf(metric, [[B, 1], [B + 3 * MIN, 2], [tied, cases[order][0]]], { order }));
      const second = (order: Order) => seriesOf(metric, [[tied, cases[order][1]]], { order });
      const now = B + DAY + 10 * MIN;
      const ingest = (seq: number, series: IngestSeries[]) =>
        storage.ingest(batchOf({ agentId, seq, receivedMs: now, series }));

      const points = async (fromMs: number, toMs: number, stepMs?: number) => {
        const result = await storage.query({ metric, labels: {}, fromMs, toMs, stepMs, agg: 'last', maxPoints: 1_000 });
        return Object.fromEntries(result.map((s) => [s.labels.order, s.points]));
      };
      const everyOrder = <T>(value: (order: Order) => T) => Object.fromEntries(orders.map((o) => [o, value(o)]));
      /** Checks every answer against the values each series holds at `tied` so far. */
      const expectLargest = async (held: Record<Order, readonly number[]>, rollups: 'answer' | 'skip') => {
        const top = (o: Order) => Math.max(...held[o]);
        // Raw samples: all of them, the larger last, so a caller taking the last point agrees.
        expect(await points(tied, tied)).toEqual(everyOrder((o) => [...held[o]].sort((a, b) => a - b).map((v) => [tied, v])));
        // Steps under a day: raw samples answer.
        expect(await points(B, B + HOUR - 1, MIN)).toEqual(everyOrder((o) => [[B, 1], [B + 3 * MIN, 2], [tied, top(o)]]));
        expect(await points(B, B + HOUR - 1, 5 * MIN)).toEqual(everyOrder((o) => [[B, 2], [B + 5 * MIN, top(o)]]));
        // A day in 5-minute multiples: the rollups the job finished answer.
        if (rollups === 'answer') {
          expect(await points(B, B + DAY, 5 * MIN)).toEqual(everyOrder((o) => [[B, 2], [B + 5 * MIN, top(o)]]));
          expect(await points(B, B + DAY, HOUR)).toEqual(everyOrder((o) => [[B, top(o)]]));
        }
        const latest = await storage.latest(agentId);
        expect(Object.fromEntries(latest.map((v) => [v.labels.order, [v.timeMs, v.value]]))).toEqual(
          everyOrder((o) => [tied, top(o)]));
      };

      await ingest(1, first);
      await ingest(2, [second('same-run')]);
      const before = { 'same-run': cases['same-run'], 'larger-first': [9], 'larger-second': [-4] };
      await expectLargest(before, 'skip');
      const counts = (r: MaintenanceResult) => [r.hosts, r.rolledSamples, r.writtenChunks];
      const chunked = backend === 'PostgreSQL';
      // Each series has points in two buckets: one chunk each on PostgreSQL, none on SQLite.
      expect(counts(await storage.rollUp(now))).toEqual([1, orders.length * 3 + 1, chunked ? 6 : 0]);
      await expectLargest(before, 'answer');

      await ingest(3, [second('larger-first'), second('larger-second')]);
      // Late samples count in rollup answers at once, before the next run takes them in.
      await expectLargest(cases, 'answer');
      // PostgreSQL folds the 2 late samples into 2 more chunks; SQLite recomputes their bucket
      // from all the host's samples in it.
      expect(counts(await storage.rollUp(now + 5 * MIN))).toEqual([1, chunked ? 2 : 6, chunked ? 2 : 0]);
      await expectLargest(cases, 'answer');
    });
  });

  describe(`exactly-once key retention on ${backend}`, () => {
    // retention.raw shorter than retention.batch_keys: the keys outlive the raw samples.
    const policy = {
      rawRetentionMs: 2 * DAY, rollupRetentionMs: 400 * DAY, batchKeyRetentionMs: 8 * DAY, seriesPerHost: 100,
    };
    const current = storageFor(open, policy);

    it('removes keys past the longer of retention.raw and retention.batch_keys; newer ones still refuse', async () => {
      const storage = current();
      const now = B + 50 * DAY + 2 * HOUR;
      const at = (t: number, seq: number) => {
        const series = [seriesOf('kept_keys', [[t, seq]])];
        return batchOf({ agentId: 'keys', seq, receivedMs: now - HOUR, series });
      };
      const old = at(now - 10 * DAY, 1); // past both limits
      const pastRaw = at(now - 5 * DAY, 2); // its samples go with retention.raw, its key stays
      const recent = at(now - HOUR, 3);
      for (const batch of [old, pastRaw, recent]) {
        expect((await storage.ingest(batch)).duplicate).toBe(false);
      }
      await storage.rollUp(now);

      const result = await storage.applyRetention(now);
      const oldDay = new Date(now - 10 * DAY).toISOString().slice(0, 10).replace(/-/g, '');
      if (backend === 'PostgreSQL') {
        const keyPartitions = result.dropped.filter((name) => name.startsWith('batches_'));
        expect(keyPartitions).toEqual([`batches_${oldDay}`]);
      } else {
        expect(result.deletedKeys).toBe(1);
      }

      expect((await storage.ingest(pastRaw)).duplicate).toBe(true);
      expect((await storage.ingest(recent)).duplicate).toBe(true);
      // A second run finds nothing more to remove, and the keys it keeps still refuse.
      const again = await storage.applyRetention(now + 1);
      const keysAgain = again.dropped.filter((name) => name.startsWith('batches_'));
      expect([keysAgain, again.deletedKeys]).toEqual([[], 0]);
      expect((await storage.ingest(pastRaw)).duplicate).toBe(true);
      // The old key is gone: no agent can hold that batch any more, so it is taken as new.
      expect((await storage.ingest(old)).duplicate).toBe(false);
    });
  });

  describe(`event and gap retention on ${backend}`, () => {
    const policy = {
      rawRetentionMs: 2 * DAY,
      rollupRetentionMs: 30 * DAY,
      batchKeyRetentionMs: 8 * DAY,
      seriesPerHost: 100,
    };
    const current = storageFor(open, policy);

    it('deletes events and gaps past retention.rollup in steps; recent ones still read', async () => {
      const storage = current();
      const now = B + 100 * DAY;
      const limit = now - policy.rollupRetentionMs;
      const event = (timeMs: number) => ({ timeMs, kind: 'failed', labels: {}, message: 'refused' });
      const gap = (fromMs: number, toMs: number) => ({ fromMs, toMs, batches: 1, reason: 'buffer_full' });
      // More old events than one step deletes (5,000), over two hosts.
      const oldEvents = Array.from({ length: 5_000 }, (_, i) => event(limit - DAY - i * 1_000));
      const kept = {
        events: [event(limit), event(now - HOUR)],
        // This gap began before the limit but ended after it: it is not old yet.
        gaps: [gap(limit - HOUR, limit + HOUR), gap(now - 2 * HOUR, now - HOUR)],
      };
      await storage.ingest(batchOf({
        agentId: 'ev-a',
        receivedMs: now - HOUR,
        events: [...oldEvents, ...kept.events],
        gaps: [gap(limit - 2 * DAY, limit - DAY), ...kept.gaps],
      }));
      await storage.ingest(batchOf({
        agentId: 'ev-b',
        receivedMs: now - HOUR,
        events: [event(limit - 1), event(now - HOUR)],
        gaps: [gap(limit - 2 * HOUR, limit - 1)],
      }));

      const result = await storage.applyRetention(now);
      expect([result.deletedEvents, result.deletedGaps, result.deletedRows]).toEqual([5_001, 2, 0]);
      const times = async (hostId: string, sinceMs: number) =>
        (await storage.events(hostId, sinceMs)).map((e) => e.timeMs);
      const spans = async (hostId: string) => (await storage.gaps(hostId)).map((g) => [g.fromMs, g.toMs]);
      expect(await times('ev-a', 0)).toEqual(kept.events.map((e) => e.timeMs));
      expect(await times('ev-a', now - DAY)).toEqual([now - HOUR]);
      expect(await spans('ev-a')).toEqual(kept.gaps.map((g) => [g.fromMs, g.toMs]));
      expect(await times('ev-b', 0)).toEqual([now - HOUR]);
      expect(await spans('ev-b')).toEqual([]);

      const again = await storage.applyRetention(now);
      expect([again.deletedEvents, again.deletedGaps]).toEqual([0, 0]);
      // The limit is exact: a millisecond later the event stamped at it is old.
      const later = await storage.applyRetention(now + 1);
      expect([later.deletedEvents, later.deletedGaps]).toEqual([1, 0]);
    });
  });

  describe(`series limit on ${backend}`, () => {
    const policy = { rawRetentionMs: 15 * DAY, rollupRetentionMs: 400 * DAY, batchKeyRetentionMs: 8 * DAY, seriesPerHost: 3 };
    const current = storageFor(open, policy);

    it('refuses new series past limits.series_per_host, naming them, and counts them', async () => {
      const storage = current();
      const series = ['a', 'b', 'c', 'd', 'e'].map((name) => seriesOf('limited', [[B, 1]], { name }));
      const first = await storage.ingest(batchOf({ agentId: 'crowded', series }));
      expect(first).toEqual({
        duplicate: false,
        acceptedSamples: 3,
        rejectedSamples: 0,
        refusedSeries: [{ metric: 'limited', labels: { name: 'd' } }, { metric: 'limited', labels: { name: 'e' } }],
        refusedSamples: 2,
      });
      const again = await storage.ingest(batchOf({ agentId: 'crowded', seq: 2, series }));
      expect(again.refusedSeries?.map((s) => s.labels.name)).toEqual(['d', 'e']);
      expect(again.acceptedSamples).toBe(3);

      const stored = await storage.query({ metric: 'limited', labels: {}, fromMs: 0, toMs: B, agg: 'avg', maxPoints: 100 });
      expect(stored.map((s) => s.labels.name)).toEqual(['a', 'b', 'c']);
      expect(storage.counters()).toEqual({ refusedSeriesTotal: 2, refusedSamplesTotal: 4 });
      expect((await storage.ingest(batchOf({ agentId: 'roomy', series }))).acceptedSamples).toBe(3);
    });
  });
}
