import { Type, type Static, type TString } from '@sinclair/typebox';
import nodemailer from 'nodemailer';
import {
  HostpulseError,
  readSecret,
  safeUrl,
  Secret,
  quote,
  type Loaded,
} from '@hostpulse/shared';
import { buildEmailMessage } from './email-message.js';
import { cut, type DeliveryResult, type NotifierDefinition } from './notifier.js';
import { oneSecretSource } from './secret-source.js';

// Alert mail over SMTP (smtp://user:pass@host:port, smtps:// for implicit TLS). The SMTP URL
// carries a password, so it is logged only through safeUrl() and never stored in attempts.

// An address as a config can write it: no spaces or control characters, one @ with a dot after.
const ADDRESS = '^[^\\s@<>]+@[^\\s@<>]+\\.[^\\s@<>]+$';

const address = (example: string) =>
  Type.String({ pattern: ADDRESS, description: `an address like ${example}` });

export const emailConfigSchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    type: Type.Literal('email'),
    smtp_url: Type.Optional(Secret() as TString),
    smtp_url_file: Type.Optional(Type.String({ minLength: 1 })),
    from: address('hostpulse@example.com'),
    to: Type.Array(address('ops@example.com'), { minItems: 1 }),
  },
  { additionalProperties: false },
);

export type EmailConfig = Loaded<Static<typeof emailConfigSchema>>;

const TIMEOUT_MS = 20_000;

export const emailNotifier: NotifierDefinition<EmailConfig> = {
  type: 'email',
  config: emailConfigSchema,

  validate(config, at) {
    const problems = oneSecretSource(config.smtpUrl, config.smtpUrlFile, at, 'smtp_url');
    if (config.smtpUrl !== undefined && !isSmtpUrl(config.smtpUrl)) {
      const message = `${quote(safeUrl(config.smtpUrl))} is not an smtp:// or smtps:// URL`;
      problems.push({ path: `${at}.smtp_url`, message });
    }
    return problems;
  },

  create(ctx, config) {
    const source = { value: config.smtpUrl, file: config.smtpUrlFile };
    const url = readSecret(source, `notifier ${config.name}`);
    if (!url || !isSmtpUrl(url)) {
      const message = `notifier ${JSON.stringify(config.name)}: no usable SMTP URL`;
      throw new HostpulseError('config_invalid', `${message} (write smtp://user:pass@host:port)`);
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
          const envelope = { from: config.from, to: [...config.to] };
          const info = await transport.sendMail({ ...envelope, ...message });
          const reply = cut(String(info.response ?? ''));
          return { ok: true, status: replyCode(info.response), reply };
        } catch (err) {
          return failure(err as Error & { responseCode?: number; response?: string });
        }
      },
      close: async () => transport.close(),
    };
  },
};

/** SMTP 5xx refuse for good (bad address, message refused), except 503 (try again later). */
function failure(e: Error & { responseCode?: number; response?: string }): DeliveryResult {
  const code = e.responseCode;
  const permanent = code !== undefined && code >= 500 && code !== 503;
  const reply = e.response && cut(e.response);
  return { ok: false, status: code, reply, error: cut(e.message), permanent };
}

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
