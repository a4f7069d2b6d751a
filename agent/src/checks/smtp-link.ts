import type { Socket } from 'node:net';
import { connect as connectTls, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { quote } from '@hostpulse/shared';

// The client side of an SMTP conversation, as far as a health check needs it: read replies
// (RFC 5321 §4.2: "250-first line" … "250 last line"), send commands, and switch the same
// connection to TLS after STARTTLS. Nothing here retries or waits on its own: the check's
// signal closes the link, which fails whatever was waiting.

export interface SmtpReply {
  readonly code: number;
  readonly lines: readonly string[];
}

// A reply line longer than this is not SMTP (RFC 5321 allows 512 octets).
const MAX_PENDING_CHARS = 64 * 1024;
const QUIT_GRACE_MS = 1000;
const REPLY_LINE = /^(\d{3})([ -]?)(.*)$/;

export class SmtpLink {
  private socket: Socket | TLSSocket;
  private pending = '';
  private lines: string[] = [];
  private replies: SmtpReply[] = [];
  private waiter: { resolve(r: SmtpReply): void; reject(e: Error): void } | undefined;
  private failure: Error | undefined;

  constructor(socket: Socket) {
    this.socket = socket;
    this.listen(socket);
  }

  /** The next reply; rejects when the connection fails or closes first. */
  reply(): Promise<SmtpReply> {
    const ready = this.replies.shift();
    if (ready) return Promise.resolve(ready);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  command(line: string): Promise<SmtpReply> {
    this.socket.write(`${line}\r\n`);
    return this.reply();
  }

  /** After a 220 to STARTTLS: the handshake on the same connection, verifying the server. */
  async startTls(options: ConnectionOptions): Promise<void> {
    const plain = this.socket;
    // From here the plain socket carries TLS records, which are not ours to read.
    plain.off('data', this.onData);
    const secure = connectTls({ ...options, socket: plain as Socket });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => {
        secure.off('error', reject);
        resolve();
      });
      secure.once('error', reject);
    });
    this.socket = secure;
    this.listen(secure);
  }

  /** Says QUIT without waiting for the answer; the server then closes, or we do after 1 s. */
  quit(): void {
    if (this.socket.destroyed) return;
    this.socket.setTimeout(QUIT_GRACE_MS, () => this.socket.destroy());
    this.socket.end('QUIT\r\n');
  }

  close(): void {
    this.socket.destroy();
  }

  private listen(socket: Socket | TLSSocket): void {
    socket.on('data', this.onData);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
  }

  private readonly onData = (chunk: Buffer): void => {
    this.pending += chunk.toString('latin1');
    let end = this.pending.indexOf('\n');
    while (end >= 0 && !this.failure) {
      this.takeLine(this.pending.slice(0, end).replace(/\r$/, ''));
      this.pending = this.pending.slice(end + 1);
      end = this.pending.indexOf('\n');
    }
    if (this.pending.length > MAX_PENDING_CHARS) this.fail(new Error('reply line too long'));
  };

  private readonly onError = (err: Error): void => this.fail(err);

  private readonly onClose = (): void => {
    this.fail(new Error('the server closed the connection'));
  };

  private takeLine(line: string): void {
    const match = REPLY_LINE.exec(line);
    if (!match) {
      this.fail(new Error(`not an SMTP reply: ${quote(line)}`));
      return;
    }
    const [, code, separator, text] = match as unknown as [string, string, string, string];
    this.lines.push(text);
    if (separator === '-') return;
    const reply = { code: Number(code), lines: this.lines };
    this.lines = [];
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter) waiter.resolve(reply);
    else this.replies.push(reply);
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    this.socket.destroy();
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.reject(err);
  }
}

export function describeReply(reply: SmtpReply): string {
  return `${reply.code} ${reply.lines.join(' ')}`.trim();
}
