import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isHostpulseError } from '@hostpulse/shared';
import type { IngestBatch, IngestSeries, QueryRequest, Storage } from '../src/storage/storage.js';

// One behaviour, two backends: storage-postgres.test.ts and storage-sqlite.test.ts call this with
// a factory for a fresh, empty store. Tests share that store, so each one works on hosts of its
// own (a new agent id per test) and never depends on another's data.

export interface OpenedTestStorage {
  readonly storage: Storage;
  close(): Promise<void>;
}

const T0 = 1_700_000_000_000; // a multiple of every step used below

export function batchOf(overrides: Partial<IngestBatch> & { agentId: string }): IngestBatch {
  return {
    incarnation: 'inc-1',
    seq: 1,
    hostName: `host-${overrides.agentId}`,
    agentVersion: '1.0.0',
    hostLabels: { env: 'test' },
    intervalMs: 10_000,
    receivedMs: T0 + 60_000,
    clockSkewMs: 0,
    stopping: false,
    series: [],
    events: [],
    gaps: [],
    ...overrides,
  };
}

export function seriesOf(metric: string, points: [number, number][], labels: Record<string, string> = {}): IngestSeries {
  return { metric, labels, timestampsMs: points.map((p) => p[0]), values: points.map((p) => p[1]) };
}

function queryOf(overrides: Partial<QueryRequest> & { metric: string }): QueryRequest {
  return { labels: {}, fromMs: T0 - 3_600_000, toMs: T0 + 3_600_000, agg: 'avg', maxPoints: 10_000, ...overrides };
}

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    if (isHostpulseError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected a HostpulseError, got a result');
}

export function registerStorageSuite(backend: string, open: () => Promise<OpenedTestStorage>): void {
  describe(`storage on ${backend}`, () => {
    let opened: OpenedTestStorage;
    let storage: Storage;
    const applied: string[] = [];
    const newAgent = () => `agent-${randomUUID().slice(0, 8)}`;

    beforeAll(async () => {
      opened = await open();
      storage = opened.storage;
      await storage.migrate((name) => applied.push(name));
    });

    afterAll(async () => {
      await opened?.close();
    });

    it('applies the migrations once; a second migrate is a no-op', async () => {
      expect(applied[0]).toBe('001-core');
      const again: string[] = [];
      await storage.migrate((name) => again.push(name));
      expect(again).toEqual([]);
      await expect(storage.ping()).resolves.toBeUndefined();
    });

    registerIngestTests(() => storage, newAgent);
    registerHostTests(() => storage, newAgent);
    registerQueryTests(() => storage, newAgent);
    registerTokenTests(() => storage);
  });
}

function registerIngestTests(get: () => Storage, newAgent: () => string): void {
  it('stores a batch exactly once: the same key again is a duplicate that stores nothing', async () => {
    const agentId = newAgent();
    const batch = batchOf({ agentId, series: [seriesOf('load_1m', [[T0, 1], [T0 + 10_000, 2]])] });

    expect(await get().ingest(batch)).toEqual({ duplicate: false, acceptedSamples: 2, rejectedSamples: 0 });
    expect(await get().ingest(batch)).toEqual({ duplicate: true, acceptedSamples: 0, rejectedSamples: 0 });
    const [series] = await get().query(queryOf({ metric: 'load_1m', hostIds: [agentId] }));
    expect(series?.points).toEqual([[T0, 1], [T0 + 10_000, 2]]);
  });

  it('stores a batch once when the same key arrives several times at once', async () => {
    const agentId = newAgent();
    const batch = batchOf({ agentId, series: [seriesOf('load_5m', [[T0, 3]])] });

    const results = await Promise.all([1, 2, 3, 4].map(() => get().ingest(batch)));
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    const [series] = await get().query(queryOf({ metric: 'load_5m', hostIds: [agentId] }));
    expect(series?.points).toEqual([[T0, 3]]);
  });

  it('keys by incarnation too: a reinstalled agent starting at seq 1 again is not a duplicate', async () => {
    const agentId = newAgent();
    await get().ingest(batchOf({ agentId, series: [seriesOf('load_15m', [[T0, 1]])] }));
    const again = await get().ingest(batchOf({ agentId, incarnation: 'inc-2', series: [seriesOf('load_15m', [[T0 + 1, 2]])] }));
    expect(again.duplicate).toBe(false);
  });

  it('stores all of a batch or nothing of it', async () => {
    const agentId = newAgent();
    const good = batchOf({
      agentId,
      series: [seriesOf('cpu_usage_percent', [[T0, 50]])],
      events: [{ timeMs: T0, kind: 'check_failed', labels: { check: 'db' }, message: 'refused' }],
      gaps: [{ fromMs: T0 - 5_000, toMs: T0 - 1_000, batches: 2, reason: 'buffer_full' }],
    });
    // A gap that ends before it starts breaks a table constraint, after the samples went in.
    const broken = { ...good, gaps: [{ fromMs: T0, toMs: T0 - 1, batches: 1, reason: 'bad' }] };

    const failure = await refusal(get().ingest(broken));
    expect(failure.code).toBe('batch_invalid');
    expect(await get().query(queryOf({ metric: 'cpu_usage_percent', hostIds: [agentId] }))).toEqual([]);
    expect(await get().findHost(agentId)).toBeUndefined();

    expect((await get().ingest(good)).duplicate).toBe(false);
    expect(await get().events(agentId, T0)).toEqual([
      { hostId: agentId, timeMs: T0, kind: 'check_failed', labels: { check: 'db' }, message: 'refused' },
    ]);
    expect(await get().gaps(agentId)).toEqual([
      { hostId: agentId, fromMs: T0 - 5_000, toMs: T0 - 1_000, batches: 2, reason: 'buffer_full' },
    ]);
    expect(await get().events(agentId, T0 + 1)).toEqual([]);

    // Again once the host and its series exist, which takes the fast path on PostgreSQL.
    const later = { ...broken, seq: 2, series: [seriesOf('cpu_usage_percent', [[T0 + 10_000, 60]])] };
    expect((await refusal(get().ingest(later))).code).toBe('batch_invalid');
    const [series] = await get().query(queryOf({ metric: 'cpu_usage_percent', hostIds: [agentId] }));
    expect(series?.points).toEqual([[T0, 50]]);
    expect(await get().gaps(agentId)).toHaveLength(1);
    expect((await get().ingest({ ...later, gaps: [] })).duplicate).toBe(false);
  });

  it('drops NaN and ±Infinity, counts them, and creates no series for a metric that had only those', async () => {
    const agentId = newAgent();
    const batch = batchOf({
      agentId,
      series: [
        seriesOf('memory_used_percent', [[T0, NaN], [T0 + 1, 42], [T0 + 2, Infinity], [T0 + 3, -Infinity]]),
        seriesOf('swap_used_percent', [[T0, NaN]]),
      ],
    });

    expect(await get().ingest(batch)).toEqual({ duplicate: false, acceptedSamples: 1, rejectedSamples: 4 });
    const [memory] = await get().query(queryOf({ metric: 'memory_used_percent', hostIds: [agentId] }));
    expect(memory?.points).toEqual([[T0 + 1, 42]]);
    expect(await get().query(queryOf({ metric: 'swap_used_percent', hostIds: [agentId] }))).toEqual([]);
    expect((await get().latest(agentId)).map((v) => v.metric)).toEqual(['memory_used_percent']);
  });

  it('refuses a series whose timestamps and values differ in number', async () => {
    const broken = { metric: 'load_1m', labels: {}, timestampsMs: [T0, T0 + 1], values: [1] };
    const failure = await refusal(get().ingest(batchOf({ agentId: newAgent(), series: [broken] })));
    expect(failure.code).toBe('batch_invalid');
    expect(failure.message).toContain('"load_1m" has 2 timestamps but 1 values');
  });

  it('refuses a time given twice in a series, or a series given twice in a batch, naming them', async () => {
    const twice = seriesOf('load_1m', [[T0 + 20_000, 1], [T0, 2], [T0 + 20_000, 3]]);
    const timeFailure = await refusal(get().ingest(batchOf({ agentId: newAgent(), series: [twice] })));
    expect(timeFailure.code).toBe('batch_invalid');
    expect(timeFailure.message).toContain(`series[0] "load_1m": timestamp ${T0 + 20_000} appears more than once`);

    const agentId = newAgent();
    const disk = (t: number, v: number) => seriesOf('filesystem_used_percent', [[t, v]], { mount: '/' });
    const repeated = [disk(T0, 1), seriesOf('load_1m', [[T0, 1]]), disk(T0 + 10_000, 2)];
    for (const seq of [1, 2]) {
      const failure = await refusal(get().ingest(batchOf({ agentId, seq, series: repeated })));
      expect(failure.code).toBe('batch_invalid');
      expect(failure.message).toContain('series[2] "filesystem_used_percent" repeats series[0] (same metric and labels)');
    }
    const fixed = [disk(T0, 1), seriesOf('load_1m', [[T0, 1]]), disk(T0 + 10_000, 2)].slice(0, 2);
    expect((await get().ingest(batchOf({ agentId, seq: 3, series: fixed }))).acceptedSamples).toBe(2);
    expect(await get().query(queryOf({ metric: 'load_1m', hostIds: [agentId] }))).toHaveLength(1);
  });
}

function registerHostTests(get: () => Storage, newAgent: () => string): void {
  it('creates the host on its first batch and updates it, keeping first seen and inventory', async () => {
    const agentId = newAgent();
    const inventory = {
      os: 'Debian 12', kernel: '6.1.0', cpuModel: 'Xeon', cpuCount: 2,
      memoryBytes: 4_294_967_296, virtualization: 'kvm', bootTimeMs: T0 - 86_400_000,
    };
    await get().ingest(batchOf({ agentId, receivedMs: T0, clockSkewMs: 120, inventory }));
    await get().ingest(
      batchOf({
        agentId, seq: 2, receivedMs: T0 + 10_000, hostName: 'renamed', agentVersion: '1.1.0',
        hostLabels: { env: 'prod' }, intervalMs: 5_000, clockSkewMs: -3_000,
      }),
    );

    expect(await get().findHost(agentId)).toEqual({
      id: agentId, name: 'renamed', labels: { env: 'prod' }, agentVersion: '1.1.0',
      firstSeenMs: T0, lastSeenMs: T0 + 10_000, intervalMs: 5_000, clockSkewMs: -3_000,
      state: 'up', inventory,
    });
    expect((await get().listHosts()).map((h) => h.id)).toContain(agentId);
  });

  it('marks a host stopped after its goodbye batch and up again when it comes back', async () => {
    const agentId = newAgent();
    await get().ingest(batchOf({ agentId, receivedMs: T0 }));
    await get().ingest(batchOf({ agentId, seq: 2, receivedMs: T0 + 200, stopping: true }));
    expect((await get().findHost(agentId))?.state).toBe('stopped');

    await get().ingest(batchOf({ agentId, incarnation: 'inc-1', seq: 3, receivedMs: T0 + 30_000 }));
    const host = await get().findHost(agentId);
    expect(host?.state).toBe('up');
    expect(host?.lastSeenMs).toBe(T0 + 30_000);
  });

  it('finds a host by id, else by name, the most recently seen when names repeat', async () => {
    const [older, newer] = [newAgent(), newAgent()];
    const name = `shared-${older}`;
    await get().ingest(batchOf({ agentId: older, hostName: name, receivedMs: T0 }));
    await get().ingest(batchOf({ agentId: newer, hostName: name, receivedMs: T0 + 5_000 }));

    expect((await get().findHost(older))?.id).toBe(older);
    expect((await get().findHost(name))?.id).toBe(newer);
    expect(await get().findHost('no-such-host')).toBeUndefined();
  });

  it('gives the newest value of each series of a host, whatever order samples arrived in', async () => {
    const agentId = newAgent();
    await get().ingest(
      batchOf({
        agentId,
        series: [
          seriesOf('load_1m', [[T0 + 20_000, 3], [T0, 1]]),
          seriesOf('filesystem_used_percent', [[T0, 10]], { mount: '/' }),
          seriesOf('filesystem_used_percent', [[T0, 20]], { mount: '/data' }),
        ],
      }),
    );
    await get().ingest(batchOf({ agentId, seq: 2, series: [seriesOf('load_1m', [[T0 + 10_000, 2]])] }));

    expect(await get().latest(agentId)).toEqual([
      { metric: 'filesystem_used_percent', labels: { mount: '/' }, timeMs: T0, value: 10 },
      { metric: 'filesystem_used_percent', labels: { mount: '/data' }, timeMs: T0, value: 20 },
      { metric: 'load_1m', labels: {}, timeMs: T0 + 20_000, value: 3 },
    ]);
    expect(await get().latest('no-such-host')).toEqual([]);
  });
}

function registerQueryTests(get: () => Storage, newAgent: () => string): void {
  it('returns raw samples in an inclusive range, sorted by time, series sorted by host name', async () => {
    const [a, b] = [newAgent(), newAgent()];
    const metric = `raw_${a}`;
    await get().ingest(batchOf({ agentId: a, hostName: 'zeta', series: [seriesOf(metric, [[T0 + 2, 2], [T0, 0], [T0 + 1, 1]])] }));
    await get().ingest(batchOf({ agentId: b, hostName: 'alpha', series: [seriesOf(metric, [[T0 + 5, 5], [T0 + 9, 9]])] }));

    const result = await get().query(queryOf({ metric, fromMs: T0 + 1, toMs: T0 + 5 }));
    expect(result).toEqual([
      { metric, hostId: b, hostName: 'alpha', labels: {}, points: [[T0 + 5, 5]] },
      { metric, hostId: a, hostName: 'zeta', labels: {}, points: [[T0 + 1, 1], [T0 + 2, 2]] },
    ]);
    expect((await get().query(queryOf({ metric, hostIds: [a] }))).map((s) => s.hostId)).toEqual([a]);
    expect(await get().query(queryOf({ metric, hostIds: [] }))).toEqual([]);
    expect(await get().query(queryOf({ metric: 'no_such_metric' }))).toEqual([]);
  });

  it('aggregates one point per step bucket with avg, min, max and last', async () => {
    const agentId = newAgent();
    const metric = `stepped_${agentId}`;
    const samples: [number, number][] = [[T0, 5], [T0 + 10_000, 1], [T0 + 20_000, 7], [T0 + 30_000, 3]];
    await get().ingest(batchOf({ agentId, series: [seriesOf(metric, samples)] }));

    const points = async (agg: QueryRequest['agg']) =>
      (await get().query(queryOf({ metric, stepMs: 20_000, agg })))[0]?.points;
    expect(await points('avg')).toEqual([[T0, 3], [T0 + 20_000, 5]]);
    expect(await points('min')).toEqual([[T0, 1], [T0 + 20_000, 3]]);
    expect(await points('max')).toEqual([[T0, 5], [T0 + 20_000, 7]]);
    expect(await points('last')).toEqual([[T0, 1], [T0 + 20_000, 3]]);
  });

  it('filters series by label equality, host labels included', async () => {
    const agentId = newAgent();
    const metric = `fs_${agentId}`;
    await get().ingest(
      batchOf({
        agentId,
        series: [
          seriesOf(metric, [[T0, 1]], { env: 'prod', mount: '/' }),
          seriesOf(metric, [[T0, 2]], { env: 'prod', mount: '/data' }),
        ],
      }),
    );

    const only = await get().query(queryOf({ metric, labels: { mount: '/data' } }));
    expect(only.map((s) => s.labels)).toEqual([{ env: 'prod', mount: '/data' }]);
    expect(await get().query(queryOf({ metric, labels: { env: 'prod' } }))).toHaveLength(2);
    expect(await get().query(queryOf({ metric, labels: { mount: '/nope' } }))).toEqual([]);
    expect(await get().query(queryOf({ metric, labels: { other: '/' } }))).toEqual([]);
  });

  it('refuses a query over maxPoints, telling the caller to add or raise step', async () => {
    const agentId = newAgent();
    const metric = `many_${agentId}`;
    const samples = Array.from({ length: 10 }, (_, i): [number, number] => [T0 + i * 1_000, i]);
    await get().ingest(batchOf({ agentId, series: [seriesOf(metric, samples)] }));

    const raw = await refusal(get().query(queryOf({ metric, maxPoints: 9 })));
    expect(raw.code).toBe('bad_request');
    expect(raw.message).toContain('more than 9 points; add `step`');
    const stepped = await refusal(get().query(queryOf({ metric, maxPoints: 4, stepMs: 2_000 })));
    expect(stepped.message).toContain('raise `step`');

    expect((await get().query(queryOf({ metric, maxPoints: 10 })))[0]?.points).toHaveLength(10);
    expect((await get().query(queryOf({ metric, maxPoints: 2, stepMs: 5_000 })))[0]?.points).toEqual([
      [T0, 2],
      [T0 + 5_000, 7],
    ]);
  });

  it('refuses a step that is not a positive whole number of ms, quoting it', async () => {
    const failure = await refusal(get().query(queryOf({ metric: 'load_1m', stepMs: 0 })));
    expect(failure).toEqual({ code: 'bad_request', message: 'step "0" must be a positive whole number of ms' });
  });
}

function registerTokenTests(get: () => Storage): void {
  it('creates, finds, lists and revokes tokens; a live name cannot be taken twice', async () => {
    const name = `web-${randomUUID().slice(0, 8)}`;
    await get().createToken({ name, kind: 'agent', role: null, hash: `h1-${name}` });

    expect(await get().findToken(`h1-${name}`)).toMatchObject({ name, kind: 'agent', role: null, revokedMs: null });
    const taken = await refusal(get().createToken({ name, kind: 'agent', role: null, hash: `h2-${name}` }));
    expect(taken.code).toBe('bad_request');
    expect(taken.message).toContain(`a live token named "${name}" already exists`);

    expect(await get().revokeToken(name)).toBe(true);
    expect(await get().findToken(`h1-${name}`)).toBeUndefined();
    expect(await get().revokeToken(name)).toBe(false);

    await get().createToken({ name, kind: 'api', role: 'viewer', hash: `h3-${name}` });
    const listed = (await get().listTokens()).filter((t) => t.name === name);
    expect(listed.map((t) => [t.kind, t.role, t.revokedMs === null])).toEqual([
      ['agent', null, false],
      ['api', 'viewer', true],
    ]);
    expect(typeof listed[0]?.createdMs).toBe('number');
  });
}
