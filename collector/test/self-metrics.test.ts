import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertStore } from '../src/alerting/store/open-alert-store.js';
import { BACKENDS, startOn } from './helpers/backends.js';
import { encoded, wireBatch } from './helpers/batches.js';
import { call, startTestCollector, type TestCollector } from './helpers/collector-server.js';
import { alertFor } from './delivery-stand-ins.js';

// GET /metrics on both backends, checked by Prometheus' own promtool so that a scraper takes
// every line of it.

const PROMTOOL = '/usr/bin/promtool';

function promtoolCheck(text: string): { status: number | null; output: string } {
  if (!existsSync(PROMTOOL)) {
    throw new Error(`${PROMTOOL} is missing: install it with \`apt-get install prometheus\``);
  }
  const result = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 20_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

function sampleValue(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe.each(BACKENDS)('GET /metrics on %s', (backend) => {
  let collector: TestCollector;
  beforeAll(async () => {
    collector = await startOn(backend);
  });
  afterAll(() => collector.close());

  async function ingest(seq: number, token: string) {
    return call(`${collector.url}/api/v1/ingest`, {
      method: 'POST',
      token,
      headers: { 'content-type': 'application/x-protobuf' },
      body: encoded(wireBatch({ seq, samples: 4 })),
    });
  }

  it('counts ingest and rejections, and promtool accepts the page', async () => {
    expect((await ingest(1, collector.tokens.agent)).status).toBe(200);
    expect((await ingest(1, collector.tokens.agent)).status).toBe(200);
    expect((await ingest(2, collector.tokens.viewer)).status).toBe(403);
    expect((await ingest(2, 'hp_not-a-token')).status).toBe(401);

    const answer = await call(`${collector.url}/metrics`);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = answer.json as string;
    expect(sampleValue(text, 'hostpulse_ingest_batches_total')).toBe(1);
    expect(sampleValue(text, 'hostpulse_ingest_duplicate_batches_total')).toBe(1);
    expect(sampleValue(text, 'hostpulse_ingest_samples_total')).toBe(4);
    expect(sampleValue(text, 'hostpulse_ingest_rejections_total{reason="forbidden"}')).toBe(1);
    expect(sampleValue(text, 'hostpulse_ingest_rejections_total{reason="unauthorized"}')).toBe(1);
    expect(sampleValue(text, 'hostpulse_ingest_rejections_total{reason="rate_limited"}')).toBe(0);
    expect(sampleValue(text, 'hostpulse_ingest_duration_seconds_count')).toBe(4);
    expect(sampleValue(text, 'hostpulse_outbox_pending_notifications')).toBe(0);
    expect(sampleValue(text, 'hostpulse_job_runs_total{job="rollup",outcome="ok"}')).toBe(0);
    expect(text).toContain('hostpulse_collector_build_info{version="0.0.0-test"} 1');
    if (backend === 'postgres') {
      expect(sampleValue(text, 'hostpulse_db_pool_connections')).toBeGreaterThan(0);
      expect(sampleValue(text, 'hostpulse_db_pool_waiting_requests')).toBe(0);
      expect(sampleValue(text, 'hostpulse_db_pool_wait_seconds_count')).toBeGreaterThan(0);
    }

    const check = promtoolCheck(text);
    expect(check.output).toBe('');
    expect(check.status).toBe(0);
  });

  it('reports open alerts by the state operators see, with severity', async () => {
    const store = createAlertStore(collector.storage);
    const states = [
      alertFor(1),
      alertFor(2),
      { ...alertFor(3), ackedMs: 1, ackedBy: 'alice' },
      { ...alertFor(4), silenceId: 'silence-1' },
      { ...alertFor(5), state: 'pending' as const, severity: null, firedMs: null },
      { ...alertFor(6), state: 'resolved' as const, endedMs: 2 },
    ];
    for (const alert of states) await store.saveChange({ alert, outbox: [] });
    const text = (await call(`${collector.url}/metrics`)).json as string;
    const alerts = text.split('\n').filter((l) => l.startsWith('hostpulse_alerts{')).sort();
    expect(alerts).toEqual([
      'hostpulse_alerts{state="acknowledged",severity="critical"} 1',
      'hostpulse_alerts{state="firing",severity="critical"} 2',
      'hostpulse_alerts{state="pending",severity="none"} 1',
      'hostpulse_alerts{state="suppressed",severity="critical"} 1',
    ]);
  });
});

describe('GET /metrics with metrics.require_token', () => {
  let collector: TestCollector;
  beforeAll(async () => {
    collector = await startTestCollector({ yaml: 'metrics: { require_token: true }' });
  });
  afterAll(() => collector.close());

  it('needs a viewer token', async () => {
    expect((await call(`${collector.url}/metrics`)).status).toBe(401);
    expect((await call(`${collector.url}/metrics`, { token: collector.tokens.agent })).status).toBe(403);
    expect((await call(`${collector.url}/metrics`, { token: collector.tokens.viewer })).status).toBe(200);
  });
});
