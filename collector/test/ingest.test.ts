import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchMessage, encodeBatch } from '@hostpulse/shared';
import { encoded, gzipped, wireBatch } from './helpers/batches.js';
import { BACKENDS, startOn } from './helpers/backends.js';
import { call, type TestCollector } from './helpers/collector-server.js';

// POST /api/v1/ingest over real HTTP against each storage backend: every kind of bad input gets
// its documented status and error JSON and stores nothing, and the collector keeps serving.

const PROTOBUF = { 'content-type': 'application/x-protobuf' };
const GZIP = { ...PROTOBUF, 'content-encoding': 'gzip' };

describe.each(BACKENDS)('POST /api/v1/ingest on %s', (backend) => {
  let collector: TestCollector;
  let ingestUrl: string;

  beforeAll(async () => {
    collector = await startOn(backend, { yaml: 'limits: { max_body_bytes: 64KiB, max_inflated_bytes: 256KiB }' });
    ingestUrl = `${collector.url}/api/v1/ingest`;
  });
  afterAll(() => collector?.close());

  const bombBody = () => gzipped(BatchMessage.create({ agentId: 'a', hostName: 'h', incarnation: 'i', seq: 1, labels: { pad: 'x'.repeat(1_000_000) } }));
  const noAgentId = () => encoded(BatchMessage.create({ hostName: 'web-1', incarnation: 'i', seq: 1 }));
  const truncatedGzip = () => {
    const whole = gzipped(wireBatch());
    return whole.subarray(0, whole.length - 12);
  };

  const cases: {
    name: string;
    token?: 'agent' | 'viewer' | 'none' | 'unknown';
    headers: Record<string, string>;
    body: () => Buffer | undefined;
    status: number;
    code: string;
    message: RegExp;
  }[] = [
    { name: 'random bytes', headers: PROTOBUF, body: () => randomBytes(512), status: 400, code: 'batch_invalid', message: /^the (body is not a protobuf Batch|batch has no)/ },
    { name: 'a truncated gzip body', headers: GZIP, body: truncatedGzip, status: 400, code: 'batch_invalid', message: /^the gzip body cannot be inflated \(/ },
    { name: 'a batch without agent id', headers: PROTOBUF, body: noAgentId, status: 400, code: 'batch_invalid', message: /^the batch has no agent_id$/ },
    { name: 'an empty body', headers: PROTOBUF, body: () => Buffer.alloc(0), status: 400, code: 'batch_invalid', message: /^the request body is empty$/ },
    { name: 'no body and no Content-Type', headers: {}, body: () => undefined, status: 400, code: 'batch_invalid', message: /^the request body is empty$/ },
    { name: 'a body over max_body_bytes', headers: PROTOBUF, body: () => randomBytes(100 * 1024), status: 413, code: 'batch_too_large', message: /^the request body is larger than limits\.max_body_bytes$/ },
    { name: 'a gzip body inflating past max_inflated_bytes', headers: GZIP, body: bombBody, status: 413, code: 'batch_too_large', message: /^the gzip body inflates past 262144 bytes$/ },
    { name: 'an unsupported Content-Encoding', headers: { ...PROTOBUF, 'content-encoding': 'br' }, body: () => encoded(wireBatch()), status: 400, code: 'batch_invalid', message: /^Content-Encoding "br" is not supported/ },
    { name: 'a text body', headers: { 'content-type': 'text/plain' }, body: () => Buffer.from('hello'), status: 400, code: 'batch_invalid', message: /^the body must be application\/x-protobuf$/ },
    { name: 'an unknown Content-Type', headers: { 'content-type': 'application/octet-stream' }, body: () => encoded(wireBatch()), status: 400, code: 'batch_invalid', message: /^the body must be application\/x-protobuf, not Content-Type "application\/octet-stream"$/ },
    { name: 'JSON that does not parse', headers: { 'content-type': 'application/json' }, body: () => Buffer.from('{"seq":'), status: 400, code: 'batch_invalid', message: /^the body must be application\/x-protobuf, not Content-Type "application\/json"$/ },
    { name: 'an empty JSON body', headers: { 'content-type': 'application/json; charset=utf-8' }, body: () => Buffer.alloc(0), status: 400, code: 'batch_invalid', message: /^the body must be application\/x-protobuf, not Content-Type "application\/json; charset=utf-8"$/ },
    { name: 'a JSON body that parses', headers: { 'content-type': 'application/json' }, body: () => Buffer.from('{"seq":1}'), status: 400, code: 'batch_invalid', message: /^the body must be application\/x-protobuf$/ },
    { name: 'a body without Content-Type', headers: {}, body: () => encoded(wireBatch()), status: 400, code: 'batch_invalid', message: /^the body must be application\/x-protobuf, not Content-Type ""$/ },
    { name: 'no token', token: 'none', headers: PROTOBUF, body: () => encoded(wireBatch()), status: 401, code: 'unauthorized', message: /^no token/ },
    { name: 'a wrong token', token: 'unknown', headers: PROTOBUF, body: () => encoded(wireBatch()), status: 401, code: 'unauthorized', message: /^the token is unknown or revoked$/ },
    { name: 'a viewer token', token: 'viewer', headers: PROTOBUF, body: () => encoded(wireBatch()), status: 403, code: 'forbidden', message: /^token "viewer" is not an agent token$/ },
  ];

  it.each(cases)('answers $status $code to $name and stores nothing', async (c) => {
    const token = { agent: collector.tokens.agent, viewer: collector.tokens.viewer, none: undefined, unknown: `hp_${'A'.repeat(43)}` }[c.token ?? 'agent'];
    const answer = await call(ingestUrl, { method: 'POST', token, headers: c.headers, body: c.body() });

    expect(answer.status).toBe(c.status);
    expect(Object.keys(answer.json)).toEqual(['error']);
    expect(answer.json.error.code).toBe(c.code);
    expect(answer.json.error.message).toMatch(c.message);
    expect(await collector.storage.listHosts()).toEqual([]);
    expect(collector.alerting.observed).toEqual([]);
  });

  it('still stores a good batch from another agent after all that', async () => {
    const batch = wireBatch({ agentId: 'agent-b', hostName: 'db-1', samples: 4 });
    const answer = await call(ingestUrl, { method: 'POST', token: collector.tokens.otherAgent, headers: GZIP, body: gzipped(batch) });

    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ seq: 1, acceptedSamples: 4, duplicate: false });
    expect(typeof answer.json.serverTimeMs).toBe('number');
    const hosts = await collector.storage.listHosts();
    expect(hosts.map((h) => h.name)).toEqual(['db-1']);
    expect(collector.alerting.observed.map((b) => b.hostName)).toEqual(['db-1']);
  });

  it('counts values the storage refuses (NaN, infinity) apart from the accepted ones', async () => {
    const batch = wireBatch({ agentId: 'agent-d', hostName: 'web-8', samples: 3 });
    batch.series![0]!.values = [1, Number.NaN, Number.POSITIVE_INFINITY];
    const answer = await call(ingestUrl, { method: 'POST', token: collector.tokens.agent, headers: PROTOBUF, body: encoded(batch) });
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ acceptedSamples: 1, rejectedSamples: 2, duplicate: false });
  });

  it('stores a batch exactly once: the same batch twice is acknowledged as a duplicate', async () => {
    const batch = wireBatch({ agentId: 'agent-c', hostName: 'web-7', seq: 42, samples: 3, startMs: 1_700_000_000_000 });
    const body = Buffer.from(encodeBatch(batch));
    const first = await call(ingestUrl, { method: 'POST', token: collector.tokens.agent, headers: PROTOBUF, body });
    const second = await call(ingestUrl, { method: 'POST', token: collector.tokens.agent, headers: PROTOBUF, body });

    expect(first.json).toMatchObject({ seq: 42, acceptedSamples: 3, duplicate: false });
    expect(second.status).toBe(200);
    expect(second.json).toMatchObject({ seq: 42, duplicate: true });
    const series = await collector.storage.query({
      metric: 'cpu_usage_percent',
      hostIds: ['agent-c'],
      labels: {},
      fromMs: 1_699_999_000_000,
      toMs: 1_700_001_000_000,
      agg: 'avg',
      maxPoints: 1000,
    });
    expect(series.flatMap((s) => s.points)).toEqual([
      [1_700_000_000_000, 10],
      [1_700_000_010_000, 11],
      [1_700_000_020_000, 12],
    ]);
    expect(collector.alerting.observed.filter((b) => b.agentId === 'agent-c')).toHaveLength(1);
  });
});
