import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encoded, wireBatch } from './helpers/batches.js';
import { call, startTestCollector, type TestCollector } from './helpers/collector-server.js';

// limits.ingest_per_token over real HTTP: a token past its burst gets 429 with Retry-After and
// our error shape, while another agent's token is served meanwhile. The server's clock is held
// still, so no refill happens during the test.

describe('ingest rate limit per token', () => {
  let collector: TestCollector;
  beforeAll(async () => {
    collector = await startTestCollector({
      yaml: 'limits: { ingest_per_token: { requests_per_second: 0.5, burst: 2 } }',
    });
    collector.setNow(Date.now());
  });
  afterAll(() => collector.close());

  function ingest(seq: number, token: string, agentId: string) {
    return call(`${collector.url}/api/v1/ingest`, {
      method: 'POST',
      token,
      headers: { 'content-type': 'application/x-protobuf' },
      body: encoded(wireBatch({ seq, agentId })),
    });
  }

  it('answers 429 with Retry-After past the burst, and serves the other token meanwhile', async () => {
    const { agent, otherAgent } = collector.tokens;
    expect((await ingest(1, agent, 'a')).status).toBe(200);
    expect((await ingest(2, agent, 'a')).status).toBe(200);

    const limited = await ingest(3, agent, 'a');
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('2');
    expect(limited.json.error).toEqual({
      code: 'overloaded',
      message:
        'token "agent-1" sends more than limits.ingest_per_token allows; retry in 2 s',
    });

    expect((await ingest(1, otherAgent, 'b')).status).toBe(200);
    expect(collector.metrics.ingestRejections.value({ reason: 'rate_limited' })).toBe(1);
    expect(collector.metrics.ingestBatches.value()).toBe(3);
  });

  it('does not count requests refused for their token against anyone', async () => {
    const answer = await ingest(9, 'hp_unknown', 'c');
    expect(answer.status).toBe(401);
  });
});
