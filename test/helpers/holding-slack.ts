import { createServer, type Server } from 'node:http';

// A Slack stand-in that can hold requests: a held request is read but never answered, as if
// Slack were slow. If the sender dies meanwhile the request is counted as `aborted`: Slack
// never acknowledged it. Only requests answered 200 count as delivered messages.

export interface HoldingSlack {
  readonly url: string;
  readonly messages: { receivedMs: number; body: any }[];
  /** Held requests whose sender went away before an answer. */
  readonly aborted: number;
  /** Requests held right now. */
  readonly holding: number;
  /** While true, new requests are held instead of answered. */
  hold: boolean;
  close(): Promise<void>;
}

export async function startHoldingSlack(): Promise<HoldingSlack> {
  let aborted = 0;
  let holding = 0;
  const stand: HoldingSlack = {
    url: '',
    messages: [],
    get aborted() {
      return aborted;
    },
    get holding() {
      return holding;
    },
    hold: false,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (stand.hold) {
        holding++;
        res.on('close', () => {
          holding--;
          aborted++;
        });
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      stand.messages.push({ receivedMs: Date.now(), body });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  (stand as { url: string }).url = `http://127.0.0.1:${port}/services/T000/B000/secret`;
  return stand;
}
