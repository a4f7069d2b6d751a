import { randomUUID } from 'node:crypto';
import type { Logger } from '@hostpulse/shared';
import { alertKey, type AlertRecord } from './alert-record.js';
import type { AlertBook } from './alert-book.js';
import { evaluate } from './evaluate.js';
import { applyNoData } from './no-data.js';
import type { RuleSet } from './rule-set.js';

// What changes with time alone, on the collector's clock: hosts that fell silent (host-down),
// series that stopped while their host still sends (no_data), and silences that began or
// ended. Run every few seconds by create-alerting.ts, and by tests with a fake clock.

export interface TickContext {
  readonly book: AlertBook;
  readonly rules: RuleSet;
  readonly nowMs: number;
  readonly hostDownAfterMs: number;
}

export function tick(ctx: TickContext): void {
  checkHosts(ctx);
  checkSeries(ctx);
  applySilences(ctx);
}

/** Feeds host-down the silence of each host that did not say goodbye. */
function checkHosts({ book, rules, nowMs, hostDownAfterMs }: TickContext): void {
  const rule = rules.hostDown;
  for (const [hostId, host] of book.hosts) {
    const key = alertKey(rule.config.name, hostId, '[]');
    const open = book.open.get(key);
    const silentMs = nowMs - host.lastReceivedMs;
    if (host.stopping || (!open && silentMs <= hostDownAfterMs)) continue;
    const point = {
      hostId,
      hostName: host.name,
      labels: host.labels,
      labelsKey: '[]',
      timeMs: nowMs,
      value: Math.round(silentMs / 1000),
    };
    const decision = evaluate(rule, open, point, { nowMs, newId: randomUUID });
    if (!decision) continue;
    book.commit(rule, open, decision.alert, { quiet: !decision.store, atMs: nowMs });
  }
}

/** A series is missing when its host kept sending for host_down_after without it. */
function checkSeries({ book, rules, nowMs, hostDownAfterMs }: TickContext): void {
  for (const [key, series] of book.series) {
    const rule = rules.byName.get(series.rule);
    const host = book.hosts.get(series.hostId);
    if (!rule || !host || host.stopping || series.noDataHandled) continue;
    if (nowMs - host.lastReceivedMs > hostDownAfterMs) continue;
    if (host.lastReceivedMs - series.lastReceivedMs <= hostDownAfterMs) continue;
    series.noDataHandled = true;
    const open = book.open.get(key);
    const after = applyNoData(rule, open, series, nowMs, randomUUID);
    if (!after) continue;
    book.commit(rule, open, after, { atMs: nowMs, note: after.detail });
  }
}

/** Applies silences that began or ended, and repeats of alerts no point reaches (host-down). */
export function applySilences({ book, rules, nowMs }: Omit<TickContext, 'hostDownAfterMs'>): void {
  for (const alert of [...book.open.values()]) {
    const rule = rules.byName.get(alert.rule);
    if (!rule) continue;
    const atMs = rule === rules.hostDown ? nowMs : alert.lastSampleMs;
    book.commit(rule, alert, alert as AlertRecord, { quiet: true, atMs });
  }
}

/** Runs `run` every `everyMs`, never two at once; stop() waits for the one in flight. */
export function repeatTicks(
  run: () => Promise<void>,
  everyMs: number,
  log: Logger,
): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  let failing = false;
  const timer = setInterval(() => {
    if (running) return;
    running = run()
      .then(() => {
        if (failing) log.info('alert ticks work again');
        failing = false;
      })
      .catch((err: unknown) => {
        // Once per outage, not every few seconds: the store's own errors say the rest.
        if (!failing) log.warn({ err }, 'alert tick failed, will retry');
        failing = true;
      })
      .finally(() => {
        running = undefined;
      });
  }, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
