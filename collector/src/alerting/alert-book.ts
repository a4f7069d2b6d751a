import type { Logger } from '@hostpulse/shared';
import type { Labels } from '../storage/storage.js';
import {
  alertKey,
  isOpen,
  type AckRecord,
  type AlertRecord,
  type SilenceRecord,
} from './alert-record.js';
import type { CompiledRule } from './compiled-rule.js';
import { outboxRowsFor } from './notifications.js';
import { orderedId } from './ordered-id.js';
import { settle } from './notify-policy.js';
import { compileSilence, findSilence, type CompiledSilence } from './silence-match.js';
import type { AlertStore } from './store/alert-store.js';

// What alerting holds in memory, and the one way to change an alert: commit(). Invariants:
// - `open` holds the pending and firing alert of every (rule, host, label set).
// - commit() applies silences and acknowledgements (notify-policy.ts), builds the outbox rows,
//   updates memory and queues the write; writes go to the store one at a time, in commit
//   order, each alert with its transition, notifications and acknowledgement in ONE
//   transaction.
// - `series` and `hosts` are what no_data and host-down are judged from, on the collector's
//   clock (received times), so an agent's clock or a replayed backlog cannot fake silence.

export interface WatchedSeries {
  readonly rule: string;
  readonly hostId: string;
  hostName: string;
  readonly labels: Labels;
  readonly labelsKey: string;
  lastSampleMs: number;
  lastValue: number;
  lastReceivedMs: number;
  /** no_data already acted on for this silence of the series. */
  noDataHandled: boolean;
}

export interface WatchedHost {
  name: string;
  labels: Labels;
  lastReceivedMs: number;
  /** The agent said goodbye (stopping flag) in its last batch. */
  stopping: boolean;
}

export interface CommitOptions {
  /** The evaluation said only the newest value moved; nothing to write unless policy adds. */
  readonly quiet?: boolean;
  readonly atMs: number;
  readonly note?: string | null | undefined;
  readonly quietly?: boolean;
  readonly ack?: AckRecord | undefined;
}

export interface AlertBookOptions {
  readonly store: AlertStore;
  readonly log: Logger;
  readonly now: () => number;
  readonly publicUrl?: string | undefined;
  /** Called after a change with notifications is stored. */
  readonly onOutbox: () => void;
}

export class AlertBook {
  readonly open = new Map<string, AlertRecord>();
  readonly series = new Map<string, WatchedSeries>();
  readonly hosts = new Map<string, WatchedHost>();
  private compiledSilences: readonly CompiledSilence[] = [];
  private writes: Promise<void> = Promise.resolve();

  constructor(private readonly options: AlertBookOptions) {}

  /** The silences in force or to come, as the store lists them; matchers are built here. */
  set silences(list: readonly SilenceRecord[]) {
    this.compiledSilences = list.map(compileSilence);
  }

  /** Settles `after` against silences and acknowledgements, then stores what changed. */
  commit(
    rule: CompiledRule,
    before: AlertRecord | undefined,
    after: AlertRecord,
    options: CommitOptions,
  ): AlertRecord {
    const nowMs = this.options.now();
    const silence = findSilence(this.compiledSilences, after, nowMs);
    const settled = settle({
      before,
      after,
      silenceId: silence?.id ?? null,
      repeatEveryMs: rule.config.repeatEveryMs,
      atMs: options.atMs,
      nowMs,
      note: options.note,
      quietly: options.quietly,
      nobody: rule.config.notify.length === 0,
    });
    const { alert, transition, notify } = settled;
    const key = alertKey(alert.rule, alert.hostId, alert.labelsKey);
    if (isOpen(alert)) this.open.set(key, alert);
    else this.open.delete(key);

    const changed = alert.silenceId !== after.silenceId || alert.ackedMs !== after.ackedMs;
    if (options.quiet && !transition && !notify && !changed && !options.ack) return alert;
    const context = { nowMs, publicUrl: this.options.publicUrl, newId: () => orderedId() };
    const outbox = notify ? outboxRowsFor(rule, alert, notify, context) : [];
    if (transition) {
      const { from, to } = transition;
      const fields = { alertId: alert.id, rule: alert.rule, host: alert.hostName, from, to };
      this.options.log.info({ ...fields, severity: alert.severity }, 'alert changed state');
    }
    this.persist({ alert, transition, outbox, ack: options.ack });
    return alert;
  }

  /** Resolves once every change committed so far is written (or its failure logged). */
  flush(): Promise<void> {
    return this.writes;
  }

  private persist(change: Parameters<AlertStore['saveChange']>[0]): void {
    const { store, log, onOutbox } = this.options;
    this.writes = this.writes
      .then(() => store.saveChange(change))
      .then(
        () => {
          if (change.outbox.length > 0) onOutbox();
        },
        (err: unknown) => {
          // Memory already moved on; the stored alert lags until its next change is written.
          const fields = { err, alertId: change.alert.id, notifications: change.outbox.length };
          log.error(fields, 'alert change not stored, its notifications are lost');
        },
      );
  }
}
