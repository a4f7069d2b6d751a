import type {
  AckRecord,
  AlertRecord,
  AttemptRecord,
  OutboxRow,
  SilenceRecord,
  TransitionRecord,
} from '../alert-record.js';

// Row ↔ record mapping shared by both stores. PostgreSQL hands BIGINT back as strings and JSONB
// as objects, SQLite hands back numbers and TEXT: everything passes through num() and json().

type Row = Record<string, unknown>;

export const ALERT_COLUMNS = [
  'id',
  'rule',
  'host_id',
  'host_name',
  'labels',
  'labels_key',
  'state',
  'severity',
  'value',
  'started_ms',
  'fired_ms',
  'ended_ms',
  'last_sample_ms',
  'last_notified_ms',
  'held_since',
  'updated_ms',
  'detail',
  'notified_severity',
  'eased_since_ms',
  'acked_ms',
  'acked_by',
  'silence_id',
] as const;

/** In ALERT_COLUMNS order. */
export function alertValues(a: AlertRecord): unknown[] {
  const labels = JSON.stringify(a.labels);
  const held = JSON.stringify(a.heldSince);
  return [
    ...[a.id, a.rule, a.hostId, a.hostName, labels, a.labelsKey, a.state, a.severity, a.value],
    ...[a.startedMs, a.firedMs, a.endedMs, a.lastSampleMs, a.lastNotifiedMs, held, a.updatedMs],
    ...[a.detail, a.notifiedSeverity, a.easedSinceMs, a.ackedMs, a.ackedBy, a.silenceId],
  ];
}

export function alertOf(r: Row): AlertRecord {
  return {
    id: String(r.id),
    rule: String(r.rule),
    hostId: String(r.host_id),
    hostName: String(r.host_name),
    labels: json(r.labels) as AlertRecord['labels'],
    labelsKey: String(r.labels_key),
    state: r.state as AlertRecord['state'],
    severity: (r.severity ?? null) as AlertRecord['severity'],
    value: Number(r.value),
    startedMs: num(r.started_ms) as number,
    firedMs: num(r.fired_ms),
    endedMs: num(r.ended_ms),
    lastSampleMs: num(r.last_sample_ms) as number,
    lastNotifiedMs: num(r.last_notified_ms),
    heldSince: json(r.held_since) as AlertRecord['heldSince'],
    updatedMs: num(r.updated_ms) as number,
    detail: text(r.detail),
    notifiedSeverity: (r.notified_severity ?? null) as AlertRecord['notifiedSeverity'],
    easedSinceMs: num(r.eased_since_ms),
    ackedMs: num(r.acked_ms),
    ackedBy: text(r.acked_by),
    silenceId: text(r.silence_id),
  };
}

export const OUTBOX_COLUMNS = [
  'id',
  'alert_id',
  'notifier',
  'kind',
  'payload',
  'created_ms',
  'due_ms',
  'attempts',
  'state',
  'last_error',
] as const;

/** In OUTBOX_COLUMNS order. */
export function outboxValues(o: OutboxRow): unknown[] {
  const payload = JSON.stringify(o.payload);
  return [
    ...[o.id, o.alertId, o.notifier, o.kind, payload],
    ...[o.createdMs, o.dueMs, o.attempts, o.state, o.lastError],
  ];
}

export function outboxOf(r: Row): OutboxRow {
  return {
    id: String(r.id),
    alertId: String(r.alert_id),
    notifier: String(r.notifier),
    kind: r.kind as OutboxRow['kind'],
    payload: json(r.payload) as OutboxRow['payload'],
    createdMs: num(r.created_ms) as number,
    dueMs: num(r.due_ms) as number,
    attempts: Number(r.attempts),
    state: r.state as OutboxRow['state'],
    lastError: (r.last_error ?? null) as string | null,
  };
}

export function transitionValues(t: TransitionRecord): unknown[] {
  return [t.alertId, t.from, t.to, t.severity, t.value, t.sampleMs, t.recordedMs, t.note];
}

export function transitionOf(r: Row): TransitionRecord {
  return {
    alertId: String(r.alert_id),
    from: (r.from_state ?? null) as TransitionRecord['from'],
    to: r.to_state as TransitionRecord['to'],
    severity: (r.severity ?? null) as TransitionRecord['severity'],
    value: Number(r.value),
    sampleMs: num(r.sample_ms) as number,
    recordedMs: num(r.recorded_ms) as number,
    note: text(r.note),
  };
}

export function ackValues(a: AckRecord): unknown[] {
  return [a.alertId, a.timeMs, a.author, a.comment];
}

export function ackOf(r: Row): AckRecord {
  return {
    alertId: String(r.alert_id),
    timeMs: num(r.time_ms) as number,
    author: String(r.author),
    comment: String(r.comment),
  };
}

export const SILENCE_COLUMNS = [
  'id',
  'matchers',
  'starts_ms',
  'ends_ms',
  'author',
  'comment',
  'created_ms',
  'expired_ms',
  'expired_by',
] as const;

/** In SILENCE_COLUMNS order. */
export function silenceValues(s: SilenceRecord): unknown[] {
  const matchers = JSON.stringify(s.matchers);
  return [
    ...[s.id, matchers, s.startsMs, s.endsMs, s.author, s.comment],
    ...[s.createdMs, s.expiredMs, s.expiredBy],
  ];
}

export function silenceOf(r: Row): SilenceRecord {
  return {
    id: String(r.id),
    matchers: json(r.matchers) as SilenceRecord['matchers'],
    startsMs: num(r.starts_ms) as number,
    endsMs: num(r.ends_ms) as number,
    author: String(r.author),
    comment: String(r.comment),
    createdMs: num(r.created_ms) as number,
    expiredMs: num(r.expired_ms),
    expiredBy: text(r.expired_by),
  };
}

export function attemptValues(a: AttemptRecord): unknown[] {
  return [a.outboxId, a.timeMs, a.outcome, a.status, a.reply, a.error];
}

export function attemptOf(r: Row): AttemptRecord {
  return {
    outboxId: String(r.outbox_id),
    timeMs: num(r.time_ms) as number,
    outcome: r.outcome as AttemptRecord['outcome'],
    status: num(r.status),
    reply: (r.reply ?? null) as string | null,
    error: (r.error ?? null) as string | null,
  };
}

function num(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function text(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

function json(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}
