import { randomUUID } from 'node:crypto';
import type { Logger } from '@hostpulse/shared';
import type { IngestBatch, IngestSeries } from '../storage/storage.js';
import type { Notifier } from '../notifiers/notifier.js';
import type { Alerting } from './alerting.js';
import { alertKey, labelsKeyOf, type AlertChange, type AlertRecord } from './alert-record.js';
import { indexByMetric, type CompiledRule } from './compiled-rule.js';
import { evaluate, retire, type SeriesPoint } from './evaluate.js';
import { outboxRowsFor } from './notifications.js';
import { OutboxWorker } from './outbox-worker.js';
import type { RuleConfig } from './rule-config.js';
import type { AlertStore } from './store/alert-store.js';

// Alerting as the collector runs it. Invariants:
// - Memory holds the open alert of every (rule, host, label set) and the newest sample time
//   seen for it; both are loaded from the store at start, so a restart keeps alert state.
// - Each change is written through to the store in arrival order (one queue), with its
//   notifications in the same transaction; delivery happens only from the stored outbox.
// - A point not newer than what its alert has seen is ignored, and so is a point older than
//   staleAfterMs: a backlog replayed after an outage never moves an alert back in time and
//   never fires for the past.
// - observe() costs one map lookup per series of the batch for metrics no rule watches.

export interface AlertingOptions {
  readonly rules: readonly RuleConfig[];
  /** Built by createNotifiers(); rules name them in `notify:`. stop() closes them. */
  readonly notifiers: ReadonlyMap<string, Notifier>;
  readonly store: AlertStore;
  readonly log: Logger;
  readonly now?: (() => number) | undefined;
  /** The dashboard's address, for links in notifications. */
  readonly publicUrl?: string | undefined;
  /** Points older than this (by the collector's clock, after clock skew) are not evaluated. */
  readonly staleAfterMs?: number | undefined;
}

export interface AlertingService extends Alerting {
  /** Resolves once observed batches are evaluated and stored and due notifications delivered. */
  idle(): Promise<void>;
  /** Pending and firing alerts, as memory holds them. */
  openAlerts(): AlertRecord[];
}

const DEFAULT_STALE_AFTER_MS = 5 * 60_000;
/** Batches observed before start() loaded the state wait here; past this the oldest go. */
const MAX_WAITING_BATCHES = 10_000;

export function createAlerting(options: AlertingOptions): AlertingService {
  const log = options.log.child({ component: 'alerting' });
  const now = options.now ?? Date.now;
  const staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  const rulesByMetric = indexByMetric(options.rules);
  const rulesByName = new Map([...rulesByMetric.values()].flat().map((r) => [r.config.name, r]));
  const worker = new OutboxWorker({ store: options.store, notifiers: options.notifiers, log, now });
  const open = new Map<string, AlertRecord>();
  const lastSeen = new Map<string, number>();
  let waiting: IngestBatch[] | undefined = [];
  let loading: Promise<void> | undefined;
  let writes: Promise<void> = Promise.resolve();
  let workerWanted = false;

  function load(): Promise<void> {
    loading ??= options.store.load().then((state) => {
      for (const alert of state.open) adopt(alert);
      for (const s of state.lastSeen) {
        lastSeen.set(alertKey(s.rule, s.hostId, s.labelsKey), s.lastSampleMs);
      }
      const queued = waiting ?? [];
      waiting = undefined;
      log.info({ openAlerts: open.size, rules: options.rules.length }, 'alert state loaded');
      for (const batch of queued) evaluateBatch(batch);
      if (workerWanted) worker.start();
    });
    return loading;
  }

  /** Takes a stored open alert back into memory, or ends it when its rule no longer covers it. */
  function adopt(alert: AlertRecord): void {
    const rule = rulesByName.get(alert.rule);
    if (rule?.matches(alert.hostName, alert.labels)) {
      open.set(alertKey(alert.rule, alert.hostId, alert.labelsKey), alert);
      return;
    }
    const fields = { alertId: alert.id, rule: alert.rule, host: alert.hostName };
    log.info(fields, 'alert ended: its rule is gone or no longer matches');
    const decision = retire(alert, { nowMs: now(), newId: randomUUID });
    persist({ alert: decision.alert, transition: decision.transition, outbox: [] });
  }

  /** Loads once; a failure is logged and leaves batches waiting, a later call tries again. */
  function loadOnce(): Promise<void> {
    return load().catch((err: unknown) => {
      loading = undefined;
      log.error({ err }, 'alert state could not be loaded, alerts wait until it can');
    });
  }

  function evaluateBatch(batch: IngestBatch): void {
    for (const series of batch.series) {
      const rules = rulesByMetric.get(series.metric);
      if (rules) for (const rule of rules) evaluateSeries(rule, batch, series);
    }
  }

  function evaluateSeries(rule: CompiledRule, batch: IngestBatch, series: IngestSeries): void {
    if (!rule.matches(batch.hostName, series.labels)) return;
    const point = newestPoint(batch, series);
    if (!point) return;
    const key = alertKey(rule.config.name, point.hostId, point.labelsKey);
    const current = open.get(key);
    const nowMs = now();
    const seenMs = current?.lastSampleMs ?? lastSeen.get(key);
    if (!isFresh(point, seenMs, batch.clockSkewMs, nowMs)) return;
    lastSeen.set(key, point.timeMs);
    const decision = evaluate(rule, current, point, { nowMs, newId: randomUUID });
    if (!decision) return;
    const { alert, transition, notify } = decision;
    if (alert.state === 'pending' || alert.state === 'firing') open.set(key, alert);
    else open.delete(key);
    if (!decision.store) return;
    const context = { nowMs, publicUrl: options.publicUrl, newId: randomUUID };
    const outbox = notify ? outboxRowsFor(rule, alert, notify, context) : [];
    if (transition) {
      const { from, to } = transition;
      const fields = { alertId: alert.id, rule: alert.rule, host: alert.hostName, from, to };
      log.info({ ...fields, severity: alert.severity }, 'alert changed state');
    }
    persist({ alert, transition, outbox });
  }

  /** Newer than what this alert has seen, and recent enough to speak about the present. */
  function isFresh(point: SeriesPoint, seenMs: number | undefined, skewMs: number, nowMs: number) {
    if (seenMs !== undefined && point.timeMs <= seenMs) return false;
    return nowMs - (point.timeMs + skewMs) <= staleAfterMs;
  }

  function persist(change: AlertChange): void {
    writes = writes
      .then(() => options.store.saveChange(change))
      .then(
        () => {
          if (change.outbox.length > 0) worker.wake();
        },
        (err: unknown) => {
          // Memory already moved on; the stored alert lags until its next change is written.
          const fields = { err, alertId: change.alert.id, notifications: change.outbox.length };
          log.error(fields, 'alert change not stored, its notifications are lost');
        },
      );
  }

  return {
    observe(batch) {
      if (!waiting) return evaluateBatch(batch);
      waiting.push(batch);
      if (waiting.length > MAX_WAITING_BATCHES) waiting.shift();
      void loadOnce();
    },
    start() {
      workerWanted = true;
      void loadOnce().then(() => {
        if (!waiting && workerWanted) worker.start();
      });
    },
    async stop() {
      workerWanted = false;
      await loading?.catch(() => undefined);
      await writes;
      await worker.stop();
      await Promise.all([...options.notifiers.values()].map((n) => n.close()));
    },
    async idle() {
      await load();
      await writes;
      await worker.drain();
    },
    openAlerts: () => [...open.values()],
  };
}

function newestPoint(batch: IngestBatch, series: IngestSeries): SeriesPoint | undefined {
  let best = -1;
  series.timestampsMs.forEach((t, i) => {
    const newer = best < 0 || t > (series.timestampsMs[best] as number);
    if (newer && Number.isFinite(series.values[i])) best = i;
  });
  if (best < 0) return undefined;
  return {
    hostId: batch.agentId,
    hostName: batch.hostName,
    labels: series.labels,
    labelsKey: labelsKeyOf(series.labels),
    timeMs: series.timestampsMs[best] as number,
    value: series.values[best] as number,
  };
}
