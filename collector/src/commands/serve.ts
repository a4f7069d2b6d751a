import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { HostpulseError, type Logger } from '@hostpulse/shared';
import type { Alerting } from '../alerting/alerting.js';
import { parseListen, type CollectorConfig } from '../config.js';
import { startJobs, type RunningJobs } from '../jobs/index.js';
import { redisReadiness, type ReadinessCheck } from '../readiness.js';
import { createCollectorMetrics } from '../self-metrics/collector-metrics.js';
import { addStorageGauges } from '../self-metrics/storage-gauges.js';
import { buildServer } from '../server.js';
import type { Storage } from '../storage/storage.js';
import { collectorVersion } from '../version.js';
import type { AlertingService } from '../alerting/create-alerting.js';
import { createConfiguredAlerting, reloadAlerting } from './alerting.js';
import { openConfiguredStorage, requireCurrentSchema } from './storage.js';

// The daemon: storage, alerting, the HTTP server and the maintenance jobs (jobs/), started in
// that order and stopped in the reverse one. SIGTERM or SIGINT stops the jobs (a run in
// progress finishes), lets requests in flight finish (fastify.close), then stops alerting and
// closes storage. A second signal, or a stop that hangs, ends it at once.

const STOP_DEADLINE_MS = 25_000;

interface Running {
  readonly app: FastifyInstance;
  readonly alerting: AlertingService;
  readonly storage: Storage;
  readonly readiness: readonly ReadinessCheck[];
  readonly jobs: RunningJobs;
}

export async function runServe(config: CollectorConfig, configFile: string, log: Logger): Promise<number> {
  const running = await start(config, configFile, log);
  const stopReloading = reloadOnHangup(running.alerting, configFile, log);
  const signal = await nextSignal();
  stopReloading();
  log.info({ signal }, 'stopping: draining requests, then alerting and storage');

  const code = await Promise.race([stop(running).then(() => 0), forcedStop(log)]);
  if (code === 0) log.info('stopped');
  return code;
}

async function start(config: CollectorConfig, configFile: string, log: Logger): Promise<Running> {
  const https = readTls(config, basename(configFile));
  const storage = await openConfiguredStorage(config, log);
  const metrics = createCollectorMetrics(collectorVersion);
  addStorageGauges(metrics, storage);
  let alerting: AlertingService;
  try {
    await requireCurrentSchema(storage, config, log);
    alerting = createConfiguredAlerting(config, storage, log, metrics);
  } catch (err) {
    await storage.close();
    throw err;
  }
  const redisLog = log.child({ component: 'redis' });
  const readiness = config.redis ? [redisReadiness(config.redis.url, redisLog)] : [];
  const app = buildServer({ config, storage, alerting, log, https, readiness, metrics });

  alerting.start();
  try {
    await app.listen(parseListen(config.listen));
  } catch (err) {
    await alerting.stop();
    await storage.close();
    for (const dependency of readiness) await dependency.close();
    throw listenFailure(config.listen, err);
  }
  const address = app.server.address() as AddressInfo;
  const url = `${https ? 'https' : 'http'}://${formatHost(address.address)}:${address.port}`;
  const embedded = config.database.url === undefined;
  log.info({ url, version: collectorVersion, configFile, embedded }, 'collector listening');
  const jobs = startJobs({
    storage,
    log: log.child({ component: 'jobs' }),
    now: Date.now,
    onRun: (job, outcome) => metrics.jobRuns.inc({ job, outcome }),
  });
  return { app, alerting, storage, readiness, jobs };
}

async function stop({ app, alerting, storage, readiness, jobs }: Running): Promise<void> {
  await jobs.stop();
  await app.close();
  await alerting.stop();
  await storage.close();
  for (const dependency of readiness) await dependency.close();
}

/** SIGHUP reloads rules and notifiers, one reload at a time; returns the way to stop. */
function reloadOnHangup(alerting: AlertingService, configFile: string, log: Logger): () => void {
  let reloading: Promise<unknown> = Promise.resolve();
  const onHangup = () => {
    log.info({ configFile }, 'SIGHUP: reloading rules and notifiers');
    reloading = reloading
      .then(() => reloadAlerting(alerting, configFile, log))
      .catch((err: unknown) => log.error({ err }, 'reload failed, the running rules carry on'));
  };
  process.on('SIGHUP', onHangup);
  return () => process.off('SIGHUP', onHangup);
}

type TlsFiles = { key: Buffer; cert: Buffer };

function readTls(config: CollectorConfig, fileName: string): TlsFiles | undefined {
  if (!config.tls) return undefined;
  return {
    key: readKeyFile(`${fileName}: tls.key_file`, config.tls.keyFile),
    cert: readKeyFile(`${fileName}: tls.cert_file`, config.tls.certFile),
  };
}

/**
 * Why the collector cannot listen, in one sentence. Node's own error carries no more than its
 * code and the address, both said here; kept as a cause, the log line would repeat the reason
 * in the message, the cause's message and both stacks.
 */
function listenFailure(listen: string, err: unknown): HostpulseError {
  const code = (err as NodeJS.ErrnoException).code;
  const reasons: Record<string, string> = {
    EADDRINUSE:
      'the address is already in use (another collector or another program listens there)',
    EACCES: 'permission denied (a port below 1024 needs root or CAP_NET_BIND_SERVICE)',
    EADDRNOTAVAIL: 'no network interface of this host has that address',
  };
  const reason = (code === undefined ? undefined : reasons[code]) ?? (err as Error).message;
  const message = `cannot listen on ${listen}: ${reason}`;
  return new HostpulseError('internal', message, { errorCode: code });
}

/** Read at start, so a missing or unreadable file is a configuration error (exit 2). */
function readKeyFile(where: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    const line = `${where}: cannot read ${path} (${reason})`;
    throw new HostpulseError('config_invalid', line, { problems: [line] }, { cause: err });
  }
}

function formatHost(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

function nextSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      resolve(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

/** Resolves with exit code 1 on a second signal or when the graceful stop takes too long. */
function forcedStop(log: Logger): Promise<number> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      log.fatal({ deadlineMs: STOP_DEADLINE_MS }, 'graceful stop took too long; exiting');
      resolve(1);
    }, STOP_DEADLINE_MS);
    timer.unref();
    void nextSignal().then((signal) => {
      log.fatal({ signal }, 'second signal while stopping; exiting now');
      resolve(1);
    });
  });
}
