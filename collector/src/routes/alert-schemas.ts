import { Type, type TSchema } from '@sinclair/typebox';

// Response schemas of the alert, silence and rule routes: what docs/api.md shows, for the
// OpenAPI document and for Fastify's serializer (which writes only the properties named here).

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const severity = Type.Unsafe<string>({
  type: 'string',
  enum: ['low', 'medium', 'high', 'critical'],
});
const shownState = Type.Unsafe<string>({
  type: 'string',
  enum: ['pending', 'firing', 'acknowledged', 'suppressed', 'resolved', 'inactive'],
});
const labels = Type.Record(Type.String(), Type.String());
const anything = Type.Object({}, { additionalProperties: true });

export const alertSchema = Type.Object({
  id: Type.String(),
  rule: Type.String(),
  state: shownState,
  severity: nullable(severity),
  host: Type.Object({ id: Type.String(), name: Type.String() }),
  labels,
  value: Type.Number(),
  summary: Type.String(),
  detail: nullable(Type.String()),
  startedMs: Type.Integer(),
  firedMs: nullable(Type.Integer()),
  endedMs: nullable(Type.Integer()),
  lastSampleMs: Type.Integer(),
  acknowledgedBy: nullable(Type.String()),
  acknowledgedMs: nullable(Type.Integer()),
  silenceId: nullable(Type.String()),
});

const transition = Type.Object({
  alertId: Type.String(),
  from: nullable(shownState),
  to: shownState,
  severity: nullable(severity),
  value: Type.Number(),
  sampleMs: Type.Integer(),
  recordedMs: Type.Integer(),
  note: nullable(Type.String()),
});

const outboxRow = Type.Object({
  id: Type.String(),
  alertId: Type.String(),
  notifier: Type.String(),
  kind: Type.String(),
  payload: anything,
  createdMs: Type.Integer(),
  dueMs: Type.Integer(),
  attempts: Type.Integer(),
  state: Type.String(),
  lastError: nullable(Type.String()),
});

const attempt = Type.Object({
  outboxId: Type.String(),
  timeMs: Type.Integer(),
  outcome: Type.String(),
  status: nullable(Type.Integer()),
  reply: nullable(Type.String()),
  error: nullable(Type.String()),
});

const acknowledgement = Type.Object({
  alertId: Type.String(),
  timeMs: Type.Integer(),
  author: Type.String(),
  comment: Type.String(),
});

export const alertDetailSchema = Type.Composite([
  alertSchema,
  Type.Object({
    history: Type.Object({
      transitions: Type.Array(transition),
      outbox: Type.Array(outboxRow),
      attempts: Type.Array(attempt),
      acknowledgements: Type.Array(acknowledgement),
    }),
  }),
]);

export const silenceSchema = Type.Object({
  id: Type.String(),
  matchers: labels,
  startsMs: Type.Integer(),
  endsMs: Type.Integer(),
  author: Type.String(),
  comment: Type.String(),
  createdMs: Type.Integer(),
  expiredMs: nullable(Type.Integer()),
  expiredBy: nullable(Type.String()),
});

const threshold = Type.Object({
  severity,
  above: Type.Optional(Type.Number()),
  below: Type.Optional(Type.Number()),
  forMs: Type.Integer(),
});

export const ruleSchema = Type.Object({
  name: Type.String(),
  builtin: Type.Boolean(),
  metric: Type.String(),
  match: labels,
  thresholds: Type.Array(threshold),
  clear: nullable(
    Type.Object({ above: Type.Optional(Type.Number()), below: Type.Optional(Type.Number()) }),
  ),
  notify: Type.Array(Type.String()),
  repeatEveryMs: nullable(Type.Integer()),
  noData: Type.String(),
  summary: nullable(Type.String()),
  alerts: Type.Object({
    pending: Type.Integer(),
    firing: Type.Integer(),
    acknowledged: Type.Integer(),
    suppressed: Type.Integer(),
  }),
});
