import { Type, type Static, type TString } from '@sinclair/typebox';
import {
  HostpulseError,
  originOnly,
  readSecret,
  Secret,
  type Loaded,
} from '@hostpulse/shared';
import { buildSlackMessage } from './slack-message.js';
import { postJson } from './http-post.js';
import type { NotifierDefinition } from './notifier.js';
import { oneSecretSource } from './secret-source.js';

// Slack incoming webhooks. The webhook URL's path is itself the secret, so only its origin is
// ever logged or stored in the attempt history. A 429 comes back with Retry-After, which the
// outbox worker honours for every row of this notifier.

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

/** Answers retrying will not fix: bad payload, revoked or unknown webhook, archived channel. */
const PERMANENT = new Set([400, 403, 404, 410]);

export const slackNotifier: NotifierDefinition<SlackConfig> = {
  type: 'slack',
  config: slackConfigSchema,

  validate(config, at) {
    const problems = oneSecretSource(config.webhookUrl, config.webhookUrlFile, at, 'webhook_url');
    // The URL is a secret: say what is wrong without echoing it.
    if (config.webhookUrl !== undefined && !/^https?:\/\/[^/\s]+\/\S*$/.test(config.webhookUrl)) {
      const message = 'is not an http(s) URL (value not shown: it is a secret)';
      problems.push({ path: `${at}.webhook_url`, message });
    }
    return problems;
  },

  create(ctx, config) {
    const source = { value: config.webhookUrl, file: config.webhookUrlFile };
    const url = readSecret(source, `notifier ${config.name}`);
    if (!url || !/^https?:\/\//.test(url)) {
      const message = `notifier ${JSON.stringify(config.name)}: no usable webhook URL`;
      const hint = '(set webhook_url or webhook_url_file)';
      throw new HostpulseError('config_invalid', `${message} ${hint}`);
    }
    const origin = originOnly(url);
    ctx.log.info({ webhook: origin }, 'slack notifier ready');
    return {
      name: config.name,
      type: 'slack',
      send: (group, signal) => {
        const body = JSON.stringify(buildSlackMessage(group));
        return postJson({ url, origin, body, permanent: PERMANENT, signal });
      },
      close: async () => undefined,
    };
  },
};
