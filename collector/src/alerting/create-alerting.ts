import { randomUUID } from 'node:crypto';
import type { Logger } from '@hostpulse/shared';
import type { HostRecord, IngestBatch, IngestSeries } from '../storage/storage.js';
import type { Notifier } from '../notifiers/notifier.js';
import type { Alerting } from './alerting.js';
import { alertKey, type AlertRecord } from './alert-record.js';
import { AlertBook } from './alert-book.js';
import { checkMessages, reasonKey, pointsOf } from './batch-points.js';
import type { CompiledRule } from './compiled-rule.js';
import { evaluate, retire, type SeriesPoint } from './evaluate.js';
import { createOperator, type AlertOperator } from './operator.js';
import { OutboxWorker } from './outbox-worker.js';
import type { RuleConfig } from './rule-config.js';
import { buildRuleSet, type RuleSet } from './rule-set.js';
import type { AlertStore } from './store/alert-store.js';
import { repeatTicks, tick } from './ticker.js';

// Alerting as the collector runs it. Invariants:
// - Memory (alert-book.ts) holds the open alert of every (rule, host, label set); it is loaded
//   from the store at start, so a restart keeps alert state; so does a SIGHUP reload().
// - Each change is written through to the store in commit order, with its notifications in
//   the same transaction; delivery happens only from the stored outbox.
// - A point not newer than what its alert has seen is ignored, and so is a point older than
//   staleAfterMs: a backlog replayed after an outage never moves an alert back in time and
//   never fires for the past. It still tells that the host and its series are alive.
// - Time alone (host-down, no_data, silences starting or ending) is handled by tick().

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
  readonly hostDownAfterMs?: number | undefined;
  /** The hosts known at start (storage.listHosts), so host-down covers hosts silent since. */
  readonly hosts?: (() => Promise<readonly HostRecord[]>) | undefined;
  /** How often tick() runs once started; 0 leaves it to the caller (tests). */
  readonly tickMs?: number | undefined;
}

export interface AlertingService extends Alerting {
  /** Resolves once observed batches are evaluated and stored and due notifications delivered. */
  idle(): Promise<void>;
  /** Pending and firing alerts, as memory holds them. */
  openAlerts(): AlertRecord[];
  /** Host-down, no_data and silence boundaries at the current time. */
  tick(): Promise<void>;
  /** Swaps in new rules and notifiers (SIGHUP); open alerts of remaining rules carry on. */
  reload(rules: readonly RuleConfig[], notifiers: ReadonlyMap<string, Notifier>): Promise<void>;
  readonly operator: AlertOperator;
}

const DEFAULT_STALE_AFTER_MS = 5 * 60_000;
const DEFAULT_TICK_MS = 5_000;
const RETIRED_AFTER_MS = 24 * 3_600_000;
/** Batches observed before start() loaded the state wait here; past this the oldest go. */
const MAX_WAITING_BATCHES = 10_000;

export function createAlerting(options: AlertingOptions): AlertingService {
  const log = options.log.child({ component: 'alerting' });
  const now = options.now ?? Date.now;
  const staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  const hostDownAfterMs = options.hostDownAfterMs ?? 60_000;
  const notifiers = new Map(options.notifiers);
  let rules = ruleSetOf(options.rules, notifiers);
  const worker = new OutboxWorker({ store: options.store, notifiers, log, now });
  const onOutbox = () => worker.wake();
  const { store, publicUrl } = options;
  const book = new AlertBook({ store, log, now, publicUrl, onOutbox });
  /** Newest sample time of series whose last alert ended, from the store. */
  const seenBefore = new Map<string, number>();
  const checkErrors = new Map<string, string>();
  let waiting: IngestBatch[] | undefined = [];
  let loading: Promise<void> | undefined;
  let workerWanted = false;
  let ticker: { stop(): Promise<void> } | undefined;

  function ruleSetOf(list: readonly RuleConfig[], named: ReadonlyMap<string, Notifier>): RuleSet {
    return buildRuleSet({ rules: list, notifierNames: [...named.keys()], hostDownAfterMs });
  }

  function load(): Promise<void> {
    loading ??= (async () => {
      const state = await options.store.load();
      const loadedMs = now();
      book.silences = await options.store.activeSilences(loadedMs);
      for (const s of state.lastSeen) {
        seenBefore.set(alertKey(s.rule, s.hostId, s.labelsKey), s.lastSampleMs);
      }
      for (const alert of state.open) adopt(alert, loadedMs);
      for (const host of (await options.hosts?.()) ?? []) watchKnownHost(host, loadedMs);
      const queued = waiting ?? [];
      waiting = undefined;
      log.info({ openAlerts: book.open.size, rules: options.rules.length }, 'alert state loaded');
      for (const batch of queued) evaluateBatch(batch);
      if (workerWanted) worker.start();
    })();
    return loading;
  }

  /**
   * A host known from storage. One already down (host-down open) keeps its real silence, so
   * its alert stays firing until it sends: counted from the start, it would resolve at once.
   */
  function watchKnownHost(host: HostRecord, loadedMs: number): void {
    const down = book.open.has(alertKey(rules.hostDown.config.name, host.id, '[]'));
    // A host silent for a day is taken as retired, not down: the first start with
    // host-down must not page for every host the database ever saw.
    if (!down && loadedMs - host.lastSeenMs > RETIRED_AFTER_MS) return;
    // One silent since before this start gets host_down_after from now, not at once: a
    // restarted collector must not page for every host it has not heard from yet.
    const lastReceivedMs = down ? host.lastSeenMs : Math.max(host.lastSeenMs, loadedMs);
    const stopping = host.state === 'stopped';
    book.hosts.set(host.id, { name: host.name, labels: host.labels, lastReceivedMs, stopping });
  }

  /** Takes a stored open alert back into memory, or ends it when its rule no longer covers it. */
  function adopt(alert: AlertRecord, loadedMs: number): void {
    const key = alertKey(alert.rule, alert.hostId, alert.labelsKey);
    const rule = rules.byName.get(alert.rule);
    if (rule?.matches(alert.hostName, alert.labels)) {
      book.open.set(key, alert);
      if (rule === rules.hostDown) return;
      const { rule: ruleName, hostId, hostName, labels, labelsKey, lastSampleMs, value } = alert;
      book.series.set(key, {
        ...{ rule: ruleName, hostId, hostName, labels, labelsKey, lastSampleMs },
        ...{ lastValue: value, lastReceivedMs: loadedMs, noDataHandled: false },
      });
      return;
    }
    const fields = { alertId: alert.id, rule: alert.rule, host: alert.hostName };
    log.info(fields, 'alert ended: its rule is gone or no longer matches');
    const ended = retire(alert, { nowMs: now(), newId: randomUUID });
    const note = 'its rule was removed or no longer matches';
    const stand = rule ?? rules.hostDown;
    book.commit(stand, alert, ended, { atMs: alert.lastSampleMs, note, quietly: true });
  }

  /** Loads once; a failure is logged and leaves batches waiting, a later call tries again. */
  function loadOnce(): Promise<void> {
    return load().catch((err: unknown) => {
      loading = undefined;
      log.error({ err }, 'alert state could not be loaded, alerts wait until it can');
    });
  }

  function evaluateBatch(batch: IngestBatch): void {
    const { agentId, hostName, hostLabels, receivedMs, stopping } = batch;
    const host = { name: hostName, labels: hostLabels, lastReceivedMs: receivedMs, stopping };
    book.hosts.set(agentId, host);
    endHostDown(batch);
    for (const [key, event] of checkMessages(batch.events)) {
      checkErrors.set(`${agentId}\u0000${key}`, event.message);
    }
    for (const series of batch.series) {
      const list = rules.byMetric.get(series.metric);
      if (list) for (const rule of list) evaluateSeries(rule, batch, series);
    }
  }

  /** Any batch, even an old one from a backlog, says the host is back. */
  function endHostDown(batch: IngestBatch): void {
    const rule = rules.hostDown;
    const open = book.open.get(alertKey(rule.config.name, batch.agentId, '[]'));
    if (!open) return;
    const timeMs = Math.max(batch.receivedMs, open.lastSampleMs);
    const point = { ...open, hostName: batch.hostName, timeMs, value: 0 };
    const decision = evaluate(rule, open, point, { nowMs: now(), newId: randomUUID });
    if (!decision) return;
    // The resolution says how long the host was silent in all, not the 0 that cleared it.
    const value = open.value + Math.round((timeMs - open.lastSampleMs) / 1000);
    book.commit(rule, open, { ...decision.alert, value }, { atMs: timeMs });
  }

  function evaluateSeries(rule: CompiledRule, batch: IngestBatch, series: IngestSeries): void {
    if (!rule.matches(batch.hostName, series.labels)) return;
    for (const point of pointsOf(batch, series)) {
      const key = alertKey(rule.config.name, point.hostId, point.labelsKey);
      const current = book.open.get(key);
      const nowMs = now();
      const watched = watch(rule, key, point, batch.receivedMs);
      const before = Math.max(watched.lastSampleMs, seenBefore.get(key) ?? -Infinity);
      const seenMs = current?.lastSampleMs ?? before;
      if (!isFresh(point, seenMs, batch.clockSkewMs, nowMs)) continue;
      watched.lastSampleMs = point.timeMs;
      watched.lastValue = point.value;
      const detailed = withCheckDetail(rule, point);
      const decision = evaluate(rule, acrossGap(current, point), detailed, {
        nowMs,
        newId: randomUUID,
      });
      if (!decision) continue;
      book.commit(rule, current, decision.alert, { quiet: !decision.store, atMs: point.timeMs });
    }
  }

  /**
   * After a silence longer than staleAfterMs nothing says the condition held meanwhile: `for`
   * starts again from this point, in both directions between severities.
   */
  function acrossGap(open: AlertRecord | undefined, point: SeriesPoint): AlertRecord | undefined {
    if (!open || point.timeMs - open.lastSampleMs <= staleAfterMs) return open;
    return { ...open, heldSince: {}, easedSinceMs: null };
  }

  /** The series as no_data watches it; any point, fresh or not, says it is still sent. */
  function watch(rule: CompiledRule, key: string, point: SeriesPoint, receivedMs: number) {
    let watched = book.series.get(key);
    if (!watched) {
      const { hostId, hostName, labels, labelsKey } = point;
      watched = {
        ...{ rule: rule.config.name, hostId, hostName, labels, labelsKey },
        ...{ lastSampleMs: -Infinity, lastValue: point.value, lastReceivedMs: receivedMs },
        noDataHandled: false,
      };
      book.series.set(key, watched);
    }
    watched.hostName = point.hostName;
    watched.lastReceivedMs = receivedMs;
    watched.noDataHandled = false;
    return watched;
  }

  /** A failing check's (or backup's) alert says why, from its newest event. */
  function withCheckDetail(rule: CompiledRule, point: SeriesPoint): SeriesPoint {
    const key = reasonKey(point.labels, rule.config.metric);
    if (key === undefined || !rule.thresholds.some((t) => rule.holds(t, point.value))) {
      return point;
    }
    return { ...point, detail: checkErrors.get(`${point.hostId}\u0000${key}`) ?? null };
  }

  /**
   * Newer than what this alert has seen, and within staleAfterMs of now either way: recent
   * enough to speak about the present, and not from a future that would make every later
   * point look old (an agent clock gone wrong beyond what the skew correction sees).
   */
  function isFresh(point: SeriesPoint, seenMs: number, skewMs: number, nowMs: number) {
    if (point.timeMs <= seenMs) return false;
    return Math.abs(nowMs - (point.timeMs + skewMs)) <= staleAfterMs;
  }

  async function runTick(): Promise<void> {
    await load();
    book.silences = await options.store.activeSilences(now());
    tick({ book, rules, nowMs: now(), hostDownAfterMs });
    await book.flush();
  }

  async function reload(list: readonly RuleConfig[], next: ReadonlyMap<string, Notifier>) {
    await load();
    const kept = new Set(next.values());
    const replaced = [...notifiers.values()].filter((n) => !kept.has(n));
    notifiers.clear();
    for (const [name, notifier] of next) notifiers.set(name, notifier);
    rules = ruleSetOf(list, notifiers);
    for (const [key, series] of book.series) {
      if (!rules.byName.has(series.rule)) book.series.delete(key);
    }
    for (const alert of [...book.open.values()]) adopt(alert, now());
    await book.flush();
    // Rows already claimed by the worker finish on the old notifier objects before they close.
    await Promise.all(replaced.map((n) => n.close()));
    log.info({ rules: list.length, notifiers: notifiers.size }, 'rules and notifiers reloaded');
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
      const everyMs = options.tickMs ?? DEFAULT_TICK_MS;
      if (everyMs > 0) ticker = repeatTicks(runTick, everyMs, log);
    },
    async stop() {
      workerWanted = false;
      await ticker?.stop();
      await loading?.catch(() => undefined);
      await book.flush();
      await worker.stop();
      await Promise.all([...notifiers.values()].map((n) => n.close()));
    },
    async idle() {
      await load();
      await book.flush();
      await worker.drain();
    },
    openAlerts: () => [...book.open.values()],
    tick: runTick,
    reload,
    operator: createOperator({ book, store: options.store, now, load, rules: () => rules }),
  };
}
