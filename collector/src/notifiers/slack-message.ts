import { formatValue } from '../alerting/summary.js';
import type { AlertNotification } from './notifier.js';

// Builds the Block Kit payload of one notification. Slack refuses a whole message when one
// block breaks its limits, so every text is cut to the limit of the place it goes:
// header plain_text 150, section text 3000, a section field 2000, at most 10 fields per section
// and 50 blocks per message (https://api.slack.com/reference/block-kit/blocks).

const HEADER_MAX = 150;
const SECTION_MAX = 3000;
const FIELD_MAX = 2000;
const CONTEXT_MAX = 2000;

const ICONS = { low: ':large_blue_circle:', medium: ':large_yellow_circle:', high: ':large_orange_circle:', critical: ':red_circle:' };

export interface SlackMessage {
  readonly text: string;
  readonly blocks: readonly unknown[];
}

export function buildSlackMessage(n: AlertNotification): SlackMessage {
  const resolved = n.kind === 'resolved';
  const fields = [
    field('Host', n.hostName),
    field('Value', formatValue(n.value)),
    field('Severity', n.severity),
    dateField(resolved ? 'Resolved' : 'Since', resolved ? n.atMs : n.sinceMs),
  ];
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: fit(headline(n), HEADER_MAX), emoji: true } },
    { type: 'section', fields },
    { type: 'section', text: { type: 'mrkdwn', text: fit(`*Summary*\n${escape(n.summary)}`, SECTION_MAX) } },
  ];
  const context = contextLine(n);
  if (context) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: fit(context, CONTEXT_MAX) }] });
  return { text: fallbackText(n), blocks };
}

/** `[FIRING high] cpu-high on web-1: CPU at 97% on web-1`, also used by notifications on phones. */
export function fallbackText(n: AlertNotification): string {
  return fit(`${tag(n)} ${n.rule} on ${n.hostName}: ${n.summary}`, SECTION_MAX);
}

export function tag(n: AlertNotification): string {
  switch (n.kind) {
    case 'resolved':
      return '[RESOLVED]';
    case 'escalated':
      return `[ESCALATED ${n.severity}]`;
    case 'deescalated':
      return `[DE-ESCALATED ${n.severity}]`;
    case 'repeat':
      return `[STILL FIRING ${n.severity}]`;
    default:
      return `[FIRING ${n.severity}]`;
  }
}

function headline(n: AlertNotification): string {
  if (n.kind === 'resolved') return `:white_check_mark: RESOLVED: ${n.rule} on ${n.hostName}`;
  return `${ICONS[n.severity]} ${tag(n).slice(1, -1)}: ${n.rule} on ${n.hostName}`;
}

function field(title: string, value: string): { type: 'mrkdwn'; text: string } {
  return { type: 'mrkdwn', text: fit(`*${title}*\n${escape(value)}`, FIELD_MAX) };
}

function contextLine(n: AlertNotification): string {
  const labels = Object.entries(n.labels).map(([k, v]) => `${k}=${v}`).join(', ');
  const parts = [`metric ${n.metric}`, labels && `labels ${labels}`].filter(Boolean).map((p) => escape(p as string));
  if (n.url) parts.push(`<${n.url}|open in hostpulse>`);
  return parts.join('  |  ');
}

// Slack's date token shows the time in each reader's own zone; the fallback is UTC ISO.
function dateField(title: string, ms: number): { type: 'mrkdwn'; text: string } {
  const iso = new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
  return { type: 'mrkdwn', text: `*${title}*\n<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time_secs}|${iso}>` };
}

/** mrkdwn reads &, < and > as markup; a host name must never become a link or a mention. */
function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function fit(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
