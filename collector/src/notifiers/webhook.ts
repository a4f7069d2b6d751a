import { createHmac } from 'node:crypto';
import { Type, type Static, type TString } from '@sinclair/typebox';
import {
  HostpulseError,
  originOnly,
  readSecret,
  Secret,
  type Loaded,
} from '@hostpulse/shared';
import { postJson } from './http-post.js';
import type { NotifierDefinition } from './notifier.js';
import { oneSecretSource } from './secret-source.js';
import { webhookBody } from './webhook-body.js';

// A JSON POST to any HTTP endpoint (webhook-body.ts). With a secret, each request carries
// X-Hostpulse-Signature: sha256=<hex HMAC-SHA256 of the raw body>, and X-Hostpulse-Timestamp
// (epoch seconds, also inside the signed body as sent_at_ms) so that receivers can refuse
// replays. The URL may hold a token, so only its origin is logged or stored.

export const webhookConfigSchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    type: Type.Literal('webhook'),
    url: Type.Optional(Secret() as TString),
    url_file: Type.Optional(Type.String({ minLength: 1 })),
    secret: Type.Optional(Secret() as TString),
    secret_file: Type.Optional(Type.String({ minLength: 1 })),
    secret_env: Type.Optional(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' })),
  },
  { additionalProperties: false },
);

export type WebhookConfig = Loaded<Static<typeof webhookConfigSchema>>;

/** Answers retrying will not fix: the endpoint does not exist or refuses this body for good. */
const PERMANENT = new Set([400, 404, 405, 410, 413, 422]);

export const webhookNotifier: NotifierDefinition<WebhookConfig> = {
  type: 'webhook',
  config: webhookConfigSchema,

  validate(config, at) {
    const problems = oneSecretSource(config.url, config.urlFile, at, 'url');
    if (config.url !== undefined && !/^https?:\/\/[^/\s]+\S*$/.test(config.url)) {
      const message = 'is not an http(s) URL (value not shown: it may hold a token)';
      problems.push({ path: `${at}.url`, message });
    }
    const secrets = [config.secret, config.secretFile, config.secretEnv].filter(Boolean);
    if (secrets.length > 1) {
      const message = 'takes at most one of secret:, secret_file: or secret_env:';
      problems.push({ path: at, message });
    }
    return problems;
  },

  create(ctx, config) {
    const what = `notifier ${config.name}`;
    const url = readSecret({ value: config.url, file: config.urlFile }, what);
    if (!url || !/^https?:\/\//.test(url)) {
      const message = `notifier ${JSON.stringify(config.name)}: no usable URL`;
      throw new HostpulseError('config_invalid', `${message} (set url or url_file)`);
    }
    const secretSource = { value: config.secret, file: config.secretFile, env: config.secretEnv };
    const secret = readSecret(secretSource, what);
    if (config.secretEnv !== undefined && secret === undefined) {
      const message = `notifier ${JSON.stringify(config.name)}: ${config.secretEnv} is not set`;
      throw new HostpulseError('config_invalid', `${message} (secret_env names it)`);
    }
    const origin = originOnly(url);
    ctx.log.info({ webhook: origin, signed: secret !== undefined }, 'webhook notifier ready');
    return {
      name: config.name,
      type: 'webhook',
      send: (group, signal) => {
        const sentAtMs = Date.now();
        const body = webhookBody(group, sentAtMs);
        const headers: Record<string, string> = {
          'x-hostpulse-timestamp': String(Math.floor(sentAtMs / 1000)),
        };
        if (secret !== undefined) headers['x-hostpulse-signature'] = signature(secret, body);
        return postJson({ url, origin, body, headers, permanent: PERMANENT, signal });
      },
      close: async () => undefined,
    };
  },
};

/** `sha256=<hex>` of the raw body, as receivers recompute it (docs/alerts.md). */
export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}
