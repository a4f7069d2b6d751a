import { Type, type Static, type TString } from '@sinclair/typebox';
import nodemailer from 'nodemailer';
import { HostpulseError, readSecret, safeUrl, Secret, quote, type Loaded, type Problem } from '@hostpulse/shared';
import { buildEmailMessage } from './email-message.js';
import { cut, type DeliveryResult, type NotifierDefinition } from './notifier.js';

// Alert mail over SMTP (smtp://user:pass@host:port, smtps:// for implicit TLS). The SMTP URL
// carries a password, so it is logged only through safeUrl() and never stored in attempts.

// An address as a config can write it: no spaces or control characters, one @ with a dot after.
const ADDRESS = '^[^\\s@<>]+@[^\\s@<>]+\\.[^\\s@<>]+$';

export const emailConfigSchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    type: Type.Literal('email'),
    smtp_url: Type.Optional(Secret() as TString),
    smtp_url_file: Type.Optional(Type.String({ minLength: 1 })),
    from: Type.String({ pattern: ADDRESS, description: 'an address like hostpulse@example.com' }),
    to: Type.Array(Type.String({ pattern: ADDRESS, description: 'an address like ops@example.com' }), { minItems: 1 }),
  },
  { additionalProperties: false },
);

export type EmailConfig = Loaded<Static<typeof emailConfigSchema>>;

const TIMEOUT_MS = 20_000;

export const emailNotifier: NotifierDefinition<EmailConfig> = {
  type: 'email',
  config: emailConfigSchema,

  validate(config, at) {
    const problems: Problem[] = [];
    if ((config.smtpUrl === undefined) === (config.smtpUrlFile === undefined)) {
      problems.push({ path: at, message: 'needs exactly one of smtp_url: or smtp_url_file:' });
    }
    if (config.smtpUrl !== undefined && !isSmtpUrl(config.smtpUrl)) {
      problems.push({ path: `${at}.smtp_url`, message: `${quote(safeUrl(config.smtpUrl))} is not an smtp:// or smtps:// URL` });
    }
    return problems;
  },

  create(ctx, config) {
    const url = readSecret({ value: config.smtpUrl, file: config.smtpUrlFile }, `notifier ${config.name}`);
    if (!url || !isSmtpUrl(url)) {
      throw new HostpulseError('config_invalid', `notifier ${JSON.stringify(config.name)}: no usable SMTP URL (write smtp://user:pass@host:port or smtps://…)`);
    }
    const transport = nodemailer.createTransport({
      url,
      connectionTimeout: TIMEOUT_MS,
      greetingTimeout: TIMEOUT_MS,
      socketTimeout: TIMEOUT_MS,
    });
    ctx.log.info({ smtp: safeUrl(url) }, 'email notifier ready');
    return {
      name: config.name,
      type: 'email',
      async send(group): Promise<DeliveryResult> {
        const message = buildEmailMessage(group);
        try {
          const info = await transport.sendMail({ from: config.from, to: [...config.to], ...message });
          return { ok: true, status: replyCode(info.response), reply: cut(String(info.response ?? '')) };
        } catch (err) {
          const e = err as Error & { responseCode?: number; response?: string };
          const permanent = e.responseCode !== undefined && e.responseCode >= 500 && e.responseCode !== 503;
          return { ok: false, status: e.responseCode, reply: e.response && cut(e.response), error: cut(e.message), permanent };
        }
      },
      close: async () => transport.close(),
    };
  },
};

function isSmtpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'smtp:' || url.protocol === 'smtps:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function replyCode(response: string | undefined): number | undefined {
  const code = Number(response?.slice(0, 3));
  return Number.isInteger(code) && code > 0 ? code : undefined;
}
