import type { TSchema } from '@sinclair/typebox';
import type { Logger, Problem } from '@hostpulse/shared';
import type { Severity } from '../alerting/rule-config.js';

// The contract every notifier keeps. A notifier turns a group of notifications (one, or many
// when alerts come at once) into one message and one delivery attempt, and reports how it went;
// it never retries by itself (the outbox worker owns retries, backoff, grouping and the attempt
// history) and never throws for a failed delivery.

export type NotificationKind = 'firing' | 'escalated' | 'deescalated' | 'repeat' | 'resolved';

/** What the outbox stores for a delivery: everything needed to render it, even after a restart. */
export interface AlertNotification {
  readonly kind: NotificationKind;
  readonly alertId: string;
  readonly rule: string;
  readonly metric: string;
  readonly hostId: string;
  readonly hostName: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly severity: Severity;
  readonly value: number;
  /** The condition of its severity (`> 85`); absent in rows stored by older versions. */
  readonly threshold?: string | undefined;
  readonly summary: string;
  /** When the alert started firing (sample time, epoch ms). */
  readonly sinceMs: number;
  /** The sample time this notification is about (the resolution time for `resolved`). */
  readonly atMs: number;
  /** A link to the alert on the dashboard, when the collector knows its public URL. */
  readonly url?: string | undefined;
}

/** A notification on its way: its outbox row id stays the same across retries. */
export interface OutgoingNotification extends AlertNotification {
  readonly id: string;
}

export interface DeliveryResult {
  readonly ok: boolean;
  /** HTTP status or SMTP reply code, when the other side answered. */
  readonly status?: number | undefined;
  /** The other side's answer, cut short (SMTP reply line, HTTP body start). */
  readonly reply?: string | undefined;
  readonly error?: string | undefined;
  /** The other side asked to wait this long (Slack 429 Retry-After). */
  readonly retryAfterMs?: number | undefined;
  /** Retrying cannot help (e.g. a webhook that answered 404 "no_service"). */
  readonly permanent?: boolean | undefined;
}

export interface Notifier {
  readonly name: string;
  readonly type: string;
  /** Sends the group as one message; the group is never empty and is oldest first. */
  send(group: readonly OutgoingNotification[], signal: AbortSignal): Promise<DeliveryResult>;
  close(): Promise<void>;
}

export interface NotifierContext {
  readonly log: Logger;
}

type NamedConfig = { readonly name: string; readonly type: string };

export interface NotifierDefinition<Config extends NamedConfig> {
  readonly type: Config['type'];
  /** Its variant of the `notifiers:` union in collector.yaml. */
  readonly config: TSchema;
  /** Checks the schema cannot express, with key paths under `at` (e.g. `notifiers[2]`). */
  validate(config: Config, at: string): Problem[];
  /** Reads secrets and builds the notifier; throws `config_invalid` when a secret is missing. */
  create(ctx: NotifierContext, config: Config): Notifier;
}

/** Cuts an answer for the attempt history so one huge error page cannot bloat the table. */
export function cut(text: string, max = 500): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
