import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger, type Logger } from '@hostpulse/shared';
import { toNewBatch } from '../src/batch.js';
import { BatchBuffer } from '../src/buffer/batch-buffer.js';
import { CollectorClient } from '../src/shipper/collector-client.js';
import { pingCollector } from '../src/shipper/ping.js';
import { Shipper } from '../src/shipper/shipper.js';
import { acknowledge, startFakeCollector, type FakeCollector } from './helpers/fake-collector.js';
import { memoryLog } from './helpers/memory-log.js';

// The shipper against a real HTTP server on 127.0.0.1 that answers as SPEC §4 says a collector
// may; what arrives is decoded with the shared wire codec.

const TOKEN = 'hp_test_agent_token';
let dir: string;
let collector: FakeCollector;
const closers: (() => unknown)[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hostpulse-shipper-'));
  collector = await startFakeCollector();
});

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await collector.close();
  rmSync(dir, { recursive: true, force: true });
});

function setup(options: { log?: Logger; url?: string; maxBytes?: number } = {}) {
  const buffer = BatchBuffer.open(join(dir, 'agent.db'), {
    limits: { maxBytes: options.maxBytes ?? 1e9, maxAgeMs: 1e15 },
    log: silentLogger(),
  });
  const client = new CollectorClient({ url: options.url ?? collector.url, token: TOKEN, timeoutMs: 2000, ca: undefined });
  const shipper = new Shipper({ buffer, client, log: options.log ?? silentLogger(), random: () => 0.5 });
  closers.push(() => buffer.close(), () => client.close());
  return { buffer, client, shipper };
}

function cycle(cycleMs: number, metrics: string[] = ['load_1m'], stopping = false) {
  return toNewBatch({
    identity: { id: 'host-1', idSource: 'config', name: 'web-1' },
    agentVersion: '0.1.0',
    labels: { env: 'test' },
    intervalMs: 10_000,
    cycleMs,
    values: metrics.map((metric, i) => ({ metric, labels: {}, value: i })),
    events: [],
    stopping,
  });
}

function metricsOf(index: number): string[] {
  return collector.received[index]?.batch?.series.map((s) => s.metric ?? '') ?? [];
}

describe('Shipper', () => {
  it('sends oldest first as gzipped protobuf with the token, and deletes on 200', async () => {
    const { buffer, shipper } = setup();
    for (const t of [1000, 2000, 3000]) buffer.append(cycle(t));
    for (let i = 0; i < 3; i++) expect(await shipper.attemptOldest()).toEqual({ kind: 'continue' });
    expect(await shipper.attemptOldest()).toEqual({ kind: 'empty' });

    expect(collector.received.map((r) => r.batch?.seq)).toEqual([1, 2, 3]);
    const first = collector.received[0]!;
    expect(first.path).toBe('/api/v1/ingest');
    expect(first.headers['content-type']).toBe('application/x-protobuf');
    expect(first.headers['content-encoding']).toBe('gzip');
    expect(first.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(first.batch).toMatchObject({ agentId: 'host-1', hostName: 'web-1', incarnation: buffer.incarnation, labels: { env: 'test' } });
    expect(first.batch?.series[0]).toMatchObject({ metric: 'load_1m', timestampsMs: [1000], values: [0] });
    expect(first.batch?.sentAtMs).toBeGreaterThan(0);
    expect(buffer.stats().batches).toBe(0);
  });

  it('keeps the batch on 503 with Retry-After, then resends the same seq with its own send time', async () => {
    const { buffer, shipper } = setup();
    buffer.append(cycle(1000));
    collector.answer = () => ({ status: 503, headers: { 'retry-after': '2' }, body: { error: { code: 'storage_unavailable', message: 'database down' } } });
    // 2 s asked for, plus jitter of up to 1 s (random 0.5 → 500 ms).
    expect(await shipper.attemptOldest()).toEqual({ kind: 'pause', ms: 2500 });
    expect(buffer.stats().batches).toBe(1);

    await new Promise((r) => setTimeout(r, 5));
    collector.answer = acknowledge;
    expect(await shipper.attemptOldest()).toEqual({ kind: 'continue' });
    const [a, b] = collector.received.map((r) => r.batch!);
    expect(a!.seq).toBe(b!.seq);
    expect(b!.sentAtMs).toBeGreaterThan(a!.sentAtMs);
    expect(buffer.stats().batches).toBe(0);
  });

  it('honours a Retry-After HTTP date on 429', async () => {
    const { buffer, shipper } = setup();
    buffer.append(cycle(1000));
    const in30s = new Date(Date.now() + 30_000).toUTCString();
    collector.answer = () => ({ status: 429, headers: { 'retry-after': in30s } });
    const step = await shipper.attemptOldest();
    expect(step.kind).toBe('pause');
    const ms = (step as { ms: number }).ms;
    expect(ms).toBeGreaterThan(25_000);
    expect(ms).toBeLessThanOrEqual(30_000 + 6000);
  });

  it('moves a batch answered 400 to dead letters with the collector reason, and goes on', async () => {
    const { log, lines } = memoryLog();
    const { buffer, shipper } = setup({ log });
    buffer.append(cycle(1000));
    buffer.append(cycle(2000));
    collector.answer = (req, i) =>
      i === 0 ? { status: 400, body: { error: { code: 'batch_invalid', message: 'series[0] has an invalid metric name' } } } : acknowledge(req, i);
    expect(await shipper.attemptOldest()).toEqual({ kind: 'continue' });
    expect(await shipper.attemptOldest()).toEqual({ kind: 'continue' });
    expect(buffer.stats()).toMatchObject({ batches: 0, deadLetters: 1 });
    const error = lines.find((l) => l.msg === 'collector rejected a batch; moved it to dead letters');
    expect(error).toMatchObject({ level: 50, seq: 1, reason: 'batch_invalid: series[0] has an invalid metric name' });
  });

  it('keeps buffering on 401, logs it once, retries slowly, and says when the token is accepted again', async () => {
    const { log, lines } = memoryLog();
    const { buffer, shipper } = setup({ log });
    buffer.append(cycle(1000));
    collector.answer = () => ({ status: 401, body: { error: { code: 'unauthorized', message: 'unknown token' } } });
    const step = await shipper.attemptOldest();
    await shipper.attemptOldest();
    expect(step).toEqual({ kind: 'pause', ms: 66_000 });
    expect(buffer.stats().batches).toBe(1);
    expect(lines.filter((l) => l.level === 50)).toHaveLength(1);
    expect(lines.find((l) => l.level === 50)).toMatchObject({ status: 401, msg: 'collector refused the agent token; buffering and retrying slowly' });

    collector.answer = acknowledge;
    await shipper.attemptOldest();
    expect(buffer.stats().batches).toBe(0);
    expect(lines.find((l) => l.level === 30)).toMatchObject({ msg: 'collector accepts batches again', failedAttempts: 2 });
    expect(JSON.stringify(lines)).not.toContain(TOKEN);
  });

  it('splits a batch answered 413 until every half fits, each sample arriving once', async () => {
    const { buffer, shipper } = setup();
    buffer.append(cycle(1000, ['m_a', 'm_b', 'm_c', 'm_d', 'm_e']));
    collector.answer = (req, i) => ((req.batch?.series.length ?? 0) > 2 ? { status: 413 } : acknowledge(req, i));
    for (let i = 0; i < 10 && buffer.stats().batches > 0; i++) await shipper.attemptOldest();

    expect(buffer.stats()).toMatchObject({ batches: 0, deadLetters: 0 });
    const stored = collector.received.filter((r) => (r.batch?.series.length ?? 0) <= 2);
    expect(stored.flatMap((r) => r.batch!.series.map((s) => s.metric)).sort()).toEqual(['m_a', 'm_b', 'm_c', 'm_d', 'm_e']);
    expect(new Set(stored.map((r) => r.batch!.seq)).size).toBe(stored.length);
    expect(Math.min(...stored.map((r) => r.batch!.seq))).toBeGreaterThan(1);
  });

  it('backs off with jitter when the collector cannot be reached, warning once', async () => {
    const { log, lines } = memoryLog();
    const closed = await startFakeCollector();
    await closed.close();
    const { buffer, shipper } = setup({ log, url: closed.url });
    buffer.append(cycle(1000));
    expect(await shipper.attemptOldest()).toEqual({ kind: 'pause', ms: 500 });
    expect(await shipper.attemptOldest()).toEqual({ kind: 'pause', ms: 1000 });
    expect(await shipper.attemptOldest()).toEqual({ kind: 'pause', ms: 2000 });
    expect(buffer.stats().batches).toBe(1);
    expect(lines.filter((l) => l.level === 40)).toHaveLength(1);
    expect(lines[0]).toMatchObject({ reason: 'ECONNREFUSED', msg: 'collector unreachable; buffering and retrying' });
  });

  it('sends the gap record of dropped batches with the next batch', async () => {
    const { buffer, shipper } = setup({ maxBytes: 70_000 });
    for (let t = 1; t <= 5; t++) buffer.append(cycle(t * 1000, Array.from({ length: 1000 }, (_, i) => `m_${i}`)));
    const dropped = buffer.stats().droppedTotal;
    expect(dropped).toBeGreaterThan(0);
    await shipper.attemptOldest();
    expect(collector.received[0]?.batch?.gaps).toEqual([
      expect.objectContaining({ fromMs: 1000, batches: dropped, reason: 'buffer_full' }),
    ]);
    await shipper.attemptOldest();
    expect(collector.received[1]?.batch?.gaps).toEqual([]);
  });

  it('runs as a loop: a woken shipper sends new batches back to back, and stops', async () => {
    const { buffer, shipper } = setup();
    shipper.start();
    buffer.append(cycle(1000));
    buffer.append(cycle(2000));
    shipper.wake();
    for (let i = 0; i < 100 && buffer.stats().batches > 0; i++) await new Promise((r) => setTimeout(r, 20));
    await shipper.stop();
    expect(collector.received.map((r) => r.batch?.seq)).toEqual([1, 2]);
    expect(metricsOf(0)).toEqual(['load_1m']);
  });

  it('flushes before a deadline and carries the stopping flag of the last batch', async () => {
    const { buffer, shipper } = setup();
    buffer.append(cycle(1000));
    buffer.append(cycle(2000, ['load_1m'], true));
    expect(await shipper.flush(Date.now() + 2000)).toEqual({ sent: 2, left: 0 });
    expect(collector.received.map((r) => r.batch?.stopping)).toEqual([false, true]);
  });
});

describe('pingCollector', () => {
  it('reports status, token acceptance, round trip and clock skew', async () => {
    collector.answer = () => ({ status: 200, body: { serverTimeMs: Date.now() + 60_000, tokenKind: 'agent' } });
    const { client } = setup();
    const report = await pingCollector(client);
    expect(report).toMatchObject({ reachable: true, status: 200, tokenAccepted: true });
    expect(report.clockSkewMs).toBeGreaterThan(50_000);
    expect(collector.received[0]).toMatchObject({ method: 'GET', path: '/api/v1/ping' });
    expect(collector.received[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('reports a refused token and an unreachable collector', async () => {
    collector.answer = () => ({ status: 403, body: { error: { code: 'forbidden', message: 'token revoked' } } });
    expect(await pingCollector(setup().client)).toMatchObject({ status: 403, tokenAccepted: false, error: 'forbidden: token revoked' });
    collector.answer = () => ({ status: 200, body: { serverTimeMs: Date.now(), tokenKind: 'api' } });
    expect(await pingCollector(setup().client)).toMatchObject({ status: 200, tokenAccepted: false });
    const closed = await startFakeCollector();
    await closed.close();
    expect(await pingCollector(setup({ url: closed.url }).client)).toMatchObject({ reachable: false });
  });
});
