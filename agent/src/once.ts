import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger } from '@hostpulse/shared';
import { readBufferState, type BufferState } from './buffer/read-state.js';
import type { AgentSettings } from './config.js';
import { sampleAll, type CycleProblem } from './cycle.js';
import { resolveHostIdentity, type HostIdentity } from './host-identity.js';
import { printOnceReport, type OnceReport } from './once-report.js';
import { closeSamplers, createSamplerSet } from './sampler-set.js';
import { CollectorClient } from './shipper/collector-client.js';
import { pingCollector, type PingReport } from './shipper/ping.js';

// --once: the daemon's own sampler and check code run twice, about a second apart so that rates
// exist, then the buffer's state read without touching it and the collector pinged with the
// token. Exit 0 when all is well, 1 when a sampler, a check or the collector failed.

export interface OnceOptions {
  readonly settings: AgentSettings;
  readonly json: boolean;
  /** Between the two samplings; rates need two readings. */
  readonly pauseMs?: number;
}

export async function runOnce(options: OnceOptions): Promise<number> {
  const { config } = options.settings;
  const set = createSamplerSet({ config, log: silentLogger() });
  const timeoutMs = Math.floor(config.intervalMs * 0.8);
  await sampleAll(set, Date.now(), { timeoutMs });
  await sleep(options.pauseMs ?? 1000);
  const [sampled, collector] = await Promise.all([
    sampleAll(set, Date.now(), { timeoutMs }),
    ping(options.settings),
  ]);
  closeSamplers(set);

  const problems: CycleProblem[] = [...sampled.problems];
  const buffer = readBufferSafely(config.buffer.path, problems);
  const identity = readIdentity(options.settings, buffer);
  const collectorOk = collector.status === 200 && collector.tokenAccepted === true;
  const report: OnceReport = {
    ok: problems.length === 0 && collectorOk,
    host: identity,
    samplers: set.filter((s) => !s.check).map((s) => s.name),
    checks: set.flatMap((s) => (s.check ? [s.check] : [])),
    values: sampled.values,
    problems,
    buffer,
    collector,
  };
  printOnceReport(report, options.json);
  return report.ok ? 0 : 1;
}

async function ping(settings: AgentSettings): Promise<PingReport> {
  const { collector } = settings.config;
  const client = new CollectorClient({
    url: collector.url,
    token: settings.token,
    timeoutMs: collector.timeoutMs,
    ca: settings.ca,
  });
  try {
    return await pingCollector(client);
  } finally {
    await client.close();
  }
}

function readBufferSafely(path: string, problems: CycleProblem[]): BufferState | undefined {
  try {
    return readBufferState(path);
  } catch (err) {
    problems.push({ sampler: 'buffer', source: path, message: (err as Error).message });
    return undefined;
  }
}

function readIdentity(settings: AgentSettings, buffer: BufferState | undefined): HostIdentity {
  const { host, root } = settings.config;
  return resolveHostIdentity({
    configuredId: host.id,
    configuredName: host.name,
    rootDir: root,
    store: { getMeta: (key) => (key === 'host_id' ? buffer?.hostId : undefined) },
  });
}
