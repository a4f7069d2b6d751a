import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { Type } from '@sinclair/typebox';
import type { CheckDefinition } from './check.js';
import { caFileProblems, readCa } from './ca-file.js';
import { connectSocket } from './connect.js';
import { describeReply, SmtpLink, type SmtpReply } from './smtp-link.js';

// Up when the server greets with 220 and answers EHLO with 250; with `starttls`, when it also
// offers STARTTLS, completes the handshake with a certificate valid for `host` (or signed by
// `ca_file`) and answers EHLO again over TLS. No mail is sent: the check ends with QUIT.

const smtpConfig = Type.Object({
  host: Type.String({ minLength: 1 }),
  port: Type.Integer({ minimum: 1, maximum: 65535, default: 25 }),
  starttls: Type.Boolean({ default: false }),
  ca_file: Type.Optional(Type.String({ minLength: 1 })),
});

export const smtpCheck: CheckDefinition<typeof smtpConfig> = {
  type: 'smtp',
  config: smtpConfig,
  metrics: [],
  validate(config) {
    if (config.caFile !== undefined && !config.starttls) {
      return [{ key: 'ca_file', message: 'is used only with starttls: true' }];
    }
    return caFileProblems(config.caFile);
  },
  create(_ctx, config) {
    const helo = `EHLO ${hostname()}`;
    return {
      async run(signal) {
        const link = new SmtpLink(await connectSocket(config.host, config.port, signal));
        const close = () => link.close();
        signal.addEventListener('abort', close, { once: true });
        try {
          expectCode(await link.reply(), 220, 'the greeting');
          const offered = expectCode(await link.command(helo), 250, 'EHLO');
          if (config.starttls) {
            if (!offersStartTls(offered)) throw new Error('the server does not offer STARTTLS');
            expectCode(await link.command('STARTTLS'), 220, 'STARTTLS');
            const ca = await readCa(config.caFile);
            // Certificates name hosts; for an IP address Node checks the certificate's IP SAN.
            const servername = isIP(config.host) === 0 ? config.host : undefined;
            await link.startTls({ host: config.host, servername, ca });
            expectCode(await link.command(helo), 250, 'EHLO after STARTTLS');
          }
          link.quit();
          return {};
        } catch (err) {
          link.close();
          throw err;
        } finally {
          signal.removeEventListener('abort', close);
        }
      },
    };
  },
};

function expectCode(reply: SmtpReply, code: number, step: string): SmtpReply {
  if (reply.code === code) return reply;
  throw new Error(`${step} was answered "${describeReply(reply)}", expected ${code}`);
}

function offersStartTls(ehlo: SmtpReply): boolean {
  // The first line is the server's name; each further line is one extension keyword.
  return ehlo.lines.slice(1).some((line) => /^STARTTLS\b/i.test(line));
}
