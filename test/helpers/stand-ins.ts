import { createServer, type IncomingMessage, type Server } from 'node:http';

// Real servers standing in for Slack and for a mail relay (the collector tests' one), and a
// holding proxy, each listening on 127.0.0.1.

export interface SlackStandIn {
  readonly url: string;
  readonly messages: { receivedMs: number; body: any }[];
  close(): Promise<void>;
}

export async function startSlackStandIn(): Promise<SlackStandIn> {
  const messages: { receivedMs: number; body: any }[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      messages.push({ receivedMs: Date.now(), body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}/services/T000/B000/secret`,
    messages,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

export {
  startSmtp as startSmtpStandIn,
  type SmtpStandIn,
} from '../../collector/test/helpers/smtp-stand-in.js';

export interface HoldingProxy {
  readonly url: string;
  target: string;
  /** While true, answers from the target to ingest requests are held back, not relayed. */
  holding: boolean;
  /** Resolves when an ingest answer is being held: the collector has stored, the agent waits. */
  readonly held: Promise<void>;
  close(): Promise<void>;
}

/**
 * An HTTP proxy between agent and collector that can hold back the collector's answers, so a
 * test can kill the agent after the collector stored a batch but before the agent heard so.
 */
export async function startHoldingProxy(): Promise<HoldingProxy> {
  let markHeld: () => void = () => undefined;
  const held = new Promise<void>((done) => (markHeld = done));
  const proxy: HoldingProxy = {
    url: '',
    target: '',
    holding: false,
    held,
    close: () => new Promise((done) => server.close(() => done())),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      try {
        const answer = await fetch(`${proxy.target}${req.url}`, {
          method: req.method,
          headers: Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== 'host' && k !== 'content-length')) as Record<string, string>,
          body: chunks.length ? Buffer.concat(chunks) : undefined,
        });
        const body = Buffer.from(await answer.arrayBuffer());
        if (proxy.holding && req.url?.startsWith('/api/v1/ingest')) {
          markHeld();
          return; // never answered: the agent is killed while it waits
        }
        res.writeHead(answer.status, Object.fromEntries(answer.headers)).end(body);
      } catch (err) {
        res.writeHead(502).end(String(err));
      }
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  (proxy as { url: string }).url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const close = proxy.close;
  proxy.close = async () => {
    server.closeAllConnections();
    await close();
  };
  return proxy;
}
