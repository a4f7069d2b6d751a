import { Type } from '@sinclair/typebox';
import {
  HostpulseError,
  isHostpulseError,
  silentLogger,
  type Logger,
  type Problem,
} from '@hostpulse/shared';
import { slackNotifier, slackConfigSchema, type SlackConfig } from './slack.js';
import { emailNotifier, emailConfigSchema, type EmailConfig } from './email.js';
import { webhookNotifier, webhookConfigSchema, type WebhookConfig } from './webhook.js';
import type { Notifier } from './notifier.js';

// The registry: one import and one entry per notifier file in this folder.

export const notifierDefinitions = [slackNotifier, emailNotifier, webhookNotifier] as const;

/** One entry of `notifiers:` in collector.yaml, a union tagged by `type`. */
export const notifierConfigSchema = Type.Union([
  slackConfigSchema,
  emailConfigSchema,
  webhookConfigSchema,
]);

export type NotifierConfig = SlackConfig | EmailConfig | WebhookConfig;

/** What the schema cannot see in `notifiers:`: duplicate names, secrets given twice. */
export function validateNotifiers(configs: readonly NotifierConfig[]): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  configs.forEach((config, i) => {
    const at = `notifiers[${i}]`;
    if (seen.has(config.name)) {
      const message = `${JSON.stringify(config.name)} is used twice`;
      problems.push({ path: `${at}.name`, message });
    }
    seen.add(config.name);
    problems.push(...definitionOf(config).validate(config as never, at));
  });
  return problems;
}

/** Builds every configured notifier, reading its secrets now so a missing file fails at start. */
export function createNotifiers(
  configs: readonly NotifierConfig[],
  log: Logger,
): Map<string, Notifier> {
  const notifiers = new Map<string, Notifier>();
  for (const config of configs) {
    const ctx = { log: log.child({ notifier: config.name }) };
    notifiers.set(config.name, definitionOf(config).create(ctx, config as never));
  }
  return notifiers;
}

/**
 * For --check-config: reads every notifier's secrets as serve would (by building it, then
 * closing it at once) and returns serve's message for each one that fails. Nothing is sent and
 * no secret is returned.
 */
export function notifierSecretProblems(configs: readonly NotifierConfig[]): string[] {
  const problems: string[] = [];
  for (const config of configs) {
    try {
      const notifier = definitionOf(config).create({ log: silentLogger() }, config as never);
      void notifier.close().catch(() => undefined);
    } catch (err) {
      if (!isHostpulseError(err, 'config_invalid')) throw err;
      problems.push(err.message);
    }
  }
  return problems;
}

function definitionOf(config: NotifierConfig) {
  const definition = notifierDefinitions.find((d) => d.type === config.type);
  if (!definition) {
    const name = JSON.stringify(config.name);
    const message = `notifier ${name}: unknown type ${JSON.stringify(config.type)}`;
    throw new HostpulseError('config_invalid', message);
  }
  return definition;
}
