import { randomUUID } from 'node:crypto';
import { HostpulseError, quote } from '@hostpulse/shared';
import {
  alertKey,
  displayState,
  type AlertStateName,
  type DisplayState,
  type SilenceRecord,
} from './alert-record.js';
import type { AlertBook } from './alert-book.js';
import {
  alertView,
  ruleView,
  type AlertDetail,
  type AlertView,
  type RuleView,
} from './alert-view.js';
import type { RuleSet } from './rule-set.js';
import type { AlertStore } from './store/alert-store.js';
import { applySilences } from './ticker.js';

// What operators do through the API (SPEC §5.4): read alerts with their history, acknowledge,
// silence. Changes go through AlertBook.commit(), like any other, so they are stored with
// their transition in one transaction and take effect on the next decision at once.

export interface SilenceInput {
  readonly matchers: Readonly<Record<string, string>>;
  readonly startsMs: number;
  readonly endsMs: number;
  readonly comment: string;
}

export interface AlertOperator {
  listAlerts(state?: DisplayState): Promise<AlertView[]>;
  /** Throws not_found. */
  getAlert(id: string): Promise<AlertDetail>;
  /** Throws not_found, or bad_request when the alert is not firing or already acknowledged. */
  acknowledge(id: string, author: string, comment: string): Promise<AlertView>;
  listSilences(options: { includeEnded: boolean }): Promise<SilenceRecord[]>;
  createSilence(input: SilenceInput, author: string): Promise<SilenceRecord>;
  /** Throws not_found. Expiring an expired silence changes nothing. */
  expireSilence(id: string, author: string): Promise<SilenceRecord>;
  rules(): RuleView[];
}

export interface OperatorDeps {
  readonly book: AlertBook;
  readonly store: AlertStore;
  readonly now: () => number;
  readonly load: () => Promise<void>;
  readonly rules: () => RuleSet;
}

/** The lifecycle states to read for a shown state; the rest is told apart in memory. */
const LIFECYCLE_OF: Readonly<Record<DisplayState, AlertStateName>> = {
  pending: 'pending',
  firing: 'firing',
  acknowledged: 'firing',
  suppressed: 'firing',
  resolved: 'resolved',
  inactive: 'inactive',
};

export function createOperator(deps: OperatorDeps): AlertOperator {
  const { book, store, now } = deps;

  async function findOr404(id: string) {
    const alert = await store.getAlert(id);
    if (!alert) {
      const message = `alert ${quote(id)} is not known (GET /api/v1/alerts lists them)`;
      throw new HostpulseError('not_found', message);
    }
    return alert;
  }

  async function resilence(): Promise<void> {
    book.silences = await store.activeSilences(now());
    applySilences({ book, rules: deps.rules(), nowMs: now() });
    await book.flush();
  }

  return {
    async listAlerts(state) {
      const stored = await store.listAlerts({ state: state && LIFECYCLE_OF[state] });
      const views = stored.map((a) => alertView(a, deps.rules()));
      return state ? views.filter((v) => v.state === state) : views;
    },
    async getAlert(id) {
      const alert = await findOr404(id);
      const history = await store.history(id);
      return { ...alertView(alert, deps.rules()), history };
    },
    async acknowledge(id, author, comment) {
      await deps.load();
      await book.flush();
      const stored = await findOr404(id);
      const key = alertKey(stored.rule, stored.hostId, stored.labelsKey);
      const open = book.open.get(key);
      const rule = deps.rules().byName.get(stored.rule);
      if (open?.id !== id && (stored.state === 'firing' || stored.state === 'pending')) {
        // Open in the database but not here: another replica evaluates this host.
        const message =
          `alert ${quote(id)} is held by another collector replica; ` +
          'send the acknowledgement to the replica its host reports to';
        throw new HostpulseError('bad_request', message);
      }
      if (!open || open.id !== id || open.state !== 'firing' || !rule) {
        const state = displayState(open?.id === id ? open : stored);
        const message = `alert ${quote(id)} is ${state}; only a firing alert can be acknowledged`;
        throw new HostpulseError('bad_request', message);
      }
      if (open.ackedMs !== null) {
        // A second acknowledgement would change nothing but add a row and an audit entry.
        const at = new Date(open.ackedMs).toISOString();
        const message = `alert ${quote(id)} is already acknowledged by ${open.ackedBy} at ${at}`;
        throw new HostpulseError('bad_request', message);
      }
      const timeMs = now();
      const acked = { ...open, ackedMs: timeMs, ackedBy: author, updatedMs: timeMs };
      const ack = { alertId: id, timeMs, author, comment };
      const note = comment ? `acknowledged by ${author}: ${comment}` : `acknowledged by ${author}`;
      const after = book.commit(rule, open, acked, { atMs: open.lastSampleMs, note, ack });
      await book.flush();
      return alertView(after, deps.rules());
    },
    listSilences: ({ includeEnded }) =>
      includeEnded ? store.listSilences() : store.activeSilences(now()),
    async createSilence(input, author) {
      const silence: SilenceRecord = {
        id: randomUUID(),
        ...input,
        author,
        createdMs: now(),
        expiredMs: null,
        expiredBy: null,
      };
      await store.insertSilence(silence);
      await deps.load();
      await resilence();
      return silence;
    },
    async expireSilence(id, author) {
      const found = await store.getSilence(id);
      if (!found) {
        const message = `silence ${quote(id)} is not known (GET /api/v1/silences lists them)`;
        throw new HostpulseError('not_found', message);
      }
      if (found.expiredMs !== null) return found;
      await store.expireSilence(id, now(), author);
      await deps.load();
      await resilence();
      return (await store.getSilence(id)) ?? found;
    },
    rules: () => deps.rules().all.map((rule) => ruleView(rule, book.open.values())),
  };
}
