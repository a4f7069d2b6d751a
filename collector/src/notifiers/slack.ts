import { Type, type Static, type TString } from '@sinclair/typebox';
import { request } from 'undici';
import { HostpulseError, originOnly, readSecret, Secret, type Loaded, type Problem } from '@hostpulse/shared';
import { buildSlackMessage } from './slack-message.js';
import { cut, type DeliveryResult, type NotifierDefinition } from './notifier.js';

// Slack incoming webhooks. The webhook URL's path is itself the secret, so only its origin is
// ever logged or stored in the attempt history.

export const slackConfigSchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    type: Type.Literal('slack'),
    webhook_url: Type.Optional(Secret() as TString),
    webhook_url_file: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);

export type SlackConfig = Loaded<Static<typeof slackConfigSchema>>;

const TIMEOUT_MS = 15_000;
/** Answers that retrying will not fix: bad payload, revoked or unknown webhook, archived channel. */
const PERMANENT = new Set([400, 403, 404, 410]);

export const slackNotifier: NotifierDefinition<SlackConfig> = {
  type: 'slack',
  config: slackConfigSchema,

  validate(config, at) {
    const problems: Problem[] = [];
    if ((config.webhookUrl === undefined) === (config.webhookUrlFile === undefined)) {
      problems.push({ path: at, message: 'needs exactly one of webhook_url: or webhook_url_file:' });
    }
    // The URL is a secret: say what is wrong without echoing it.
    if (config.webhookUrl !== undefined && !/^https?:\/\/[^/\s]+\/\S*$/.test(config.webhookUrl)) {
      problems.push({ path: `${at}.webhook_url`, message: 'is not an http(s) URL (value not shown: it is a secret)' });
    }
    return problems;
  },

  create(ctx, config) {
    const url = readSecret({ value: config.webhookUrl, file: config.webhookUrlFile }, `notifier ${config.name}`);
    if (!url || !/^https?:\/\//.test(url)) {
      throw new HostpulseError('config_invalid', `notifier ${JSON.stringify(config.name)}: no usable webhook URL (set webhook_url or webhook_url_file)`);
    }
    const origin = originOnly(url);
    ctx.log.info({ webhook: origin }, 'slack notifier ready');
    return {
      name: config.name,
      type: 'slack',
      send: (notification, signal) => post(url, JSON.stringify(buildSlackMessage(notification)), signal, origin),
      close: async () => undefined,
    };
  },
};

async function post(url: string, body: string, signal: AbortSignal, origin: string): Promise<DeliveryResult> {
  try {
    const res = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body,
      signal,
      headersTimeout: TIMEOUT_MS,
      bodyTimeout: TIMEOUT_MS,
    });
    const reply = cut(await res.body.text());
    if (res.statusCode >= 200 && res.statusCode < 300) return { ok: true, status: res.statusCode, reply };
    return {
      ok: false,
      status: res.statusCode,
      reply,
      error: `${origin} answered ${res.statusCode}`,
      retryAfterMs: res.statusCode === 429 ? retryAfterMs(res.headers['retry-after']) : undefined,
      permanent: PERMANENT.has(res.statusCode),
    };
  } catch (err) {
    return { ok: false, error: `${origin}: ${(err as Error).message}` };
  }
}

/** Retry-After in seconds or as an HTTP date; Slack sends seconds. Missing or odd → 30 s. */
export function retryAfterMs(header: string | string[] | undefined, nowMs = Date.now()): number {
  const text = Array.isArray(header) ? header[0] : header;
  if (text === undefined) return 30_000;
  const seconds = Number(text);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? 30_000 : Math.max(0, at - nowMs);
}
