import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AlertRecord, OutboxRow } from '../src/alerting/alert-record.js';
import type { NotificationKind } from '../src/notifiers/notifier.js';

// A scripted HTTP receiver standing in for Slack or a webhook endpoint on 127.0.0.1, and rows
// for the outbox tests. The receiver answers 200 unless told otherwise for the next requests,
// can be stopped and started again on the same port (a notifier that is down), and keeps the
// raw body and headers of every request it answered.

export interface Received {
  readonly atMs: number;
  readonly headers: IncomingHttpHeaders;
  readonly raw: string;
  readonly body: any;
}

export interface Receiver {
  readonly url: string;
  /** Requests answered 2xx. */
  readonly received: Received[];
  /** Every request, whatever it was answered. */
  readonly requests: number;
  /** The next requests get these answers, in order; then 200 again. */
  script(...answers: { status: number; headers?: Record<string, string> }[]): void;
  /** Each answer waits this long (to widen races between workers). */
  delayMs: number;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(path = '/hook/secret-path'): Promise<Receiver> {
  const received: Received[] = [];
  const answers: { status: number; headers?: Record<string, string> }[] = [];
  let requests = 0;
  let server: Server | undefined;
  let port = 0;
  const receiver: Receiver = {
    url: '',
    received,
    get requests() {
      return requests;
    },
    script: (...next) => void answers.push(...next),
    delayMs: 0,
    async down() {
      const s = server;
      server = undefined;
      s?.closeAllConnections();
      await new Promise<void>((done) => (s ? s.close(() => done()) : done()));
    },
    async up() {
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          requests++;
          const answer = answers.shift() ?? { status: 200 };
          const raw = Buffer.concat(chunks).toString('utf8');
          setTimeout(() => {
            if (answer.status < 300) {
              received.push({ atMs: Date.now(), headers: req.headers, raw, body: JSON.parse(raw) });
            }
            res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
            res.end(answer.status < 300 ? 'ok' : 'no');
          }, receiver.delayMs);
        });
      });
      await new Promise<void>((done) => server!.listen(port, '127.0.0.1', done));
      port = (server.address() as { port: number }).port;
      (receiver as { url: string }).url = `http://127.0.0.1:${port}${path}`;
    },
    close: () => receiver.down(),
  };
  await receiver.up();
  return receiver;
}

const T0 = Date.UTC(2026, 11, 4, 12, 0, 0);

/** A firing alert for host `web-<i>`, stored before its outbox rows (they reference it). */
export function alertFor(i: number, createdMs = T0): AlertRecord {
  return {
    id: `alert-${i}`,
    rule: 'rack-down',
    hostId: `host-${i}`,
    hostName: `web-${i}`,
    labels: { rack: 'r7' },
    labelsKey: '[["rack","r7"]]',
    state: 'firing',
    severity: 'critical',
    value: 0,
    startedMs: createdMs,
    firedMs: createdMs,
    endedMs: null,
    lastSampleMs: createdMs,
    lastNotifiedMs: createdMs,
    heldSince: { critical: createdMs },
    updatedMs: createdMs,
    detail: null,
    notifiedSeverity: 'critical',
    easedSinceMs: null,
    ackedMs: null,
    ackedBy: null,
    silenceId: null,
  };
}

export function rowFor(alert: AlertRecord, notifier: string, kind: NotificationKind): OutboxRow {
  return {
    id: `${alert.id}-${notifier}-${kind}`,
    alertId: alert.id,
    notifier,
    kind,
    payload: {
      kind,
      alertId: alert.id,
      rule: alert.rule,
      metric: 'check_up',
      hostId: alert.hostId,
      hostName: alert.hostName,
      labels: alert.labels,
      severity: 'critical',
      value: 0,
      threshold: '< 1',
      summary: `${alert.hostName} is down`,
      sinceMs: alert.startedMs,
      atMs: alert.lastSampleMs,
      url: `https://hp.example.com/alerts/${alert.id}`,
    },
    createdMs: alert.updatedMs,
    dueMs: alert.updatedMs,
    attempts: 0,
    state: 'pending',
    lastError: null,
  };
}
