import { formatValue } from '../alerting/summary.js';
import type { AlertNotification } from './notifier.js';
import { countsLine, listUrlOf, tag } from './group-summary.js';

// Builds the Block Kit payload of one message: one alert in full, or a group of alerts that
// came at once. Slack refuses a whole message when one block breaks its limits, so every text
// is cut to the limit of the place it goes: header plain_text 150, section text 3000, a section
// field 2000, at most 10 fields per section and 50 blocks per message
// (https://api.slack.com/reference/block-kit/blocks). A group lists its first LISTED alerts
// and ends with "and N more" and a link to the alert list, so it stays at 25 blocks at most.

export const HEADER_MAX = 150;
export const SECTION_MAX = 3000;
export const FIELD_MAX = 2000;
export const LISTED = 20;

const ICONS = {
  low: ':large_blue_circle:',
  medium: ':large_yellow_circle:',
  high: ':large_orange_circle:',
  critical: ':red_circle:',
};

type Text = { type: 'mrkdwn'; text: string };

export interface SlackMessage {
  readonly text: string;
  readonly blocks: readonly unknown[];
}

export function buildSlackMessage(group: readonly AlertNotification[]): SlackMessage {
  const [first] = group;
  if (!first) throw new Error('buildSlackMessage needs at least one notification');
  return group.length === 1 ? single(first) : combined(group);
}

function single(n: AlertNotification): SlackMessage {
  const resolved = n.kind === 'resolved';
  const fields = [
    field('Host', n.hostName),
    field('Value', formatValue(n.value)),
    field('Severity', n.severity),
    dateField(resolved ? 'Resolved' : 'Since', resolved ? n.atMs : n.sinceMs),
  ];
  if (n.threshold) fields.push(field('Threshold', n.threshold));
  const blocks: unknown[] = [
    header(headline(n)),
    { type: 'section', fields },
    section(`*Summary*\n${escape(n.summary)}`),
  ];
  const context = contextLine(n);
  if (context) blocks.push({ type: 'context', elements: [mrkdwn(fit(context, FIELD_MAX))] });
  return { text: fallbackText(n), blocks };
}

function combined(group: readonly AlertNotification[]): SlackMessage {
  const counts = countsLine(group);
  const worst = group.find((n) => n.kind !== 'resolved');
  const icon = worst ? ICONS[worst.severity] : ':white_check_mark:';
  const blocks: unknown[] = [header(`${icon} ${group.length} alerts: ${counts}`)];
  blocks.push(section(byRule(group)), { type: 'divider' });
  for (const n of group.slice(0, LISTED)) blocks.push(section(listed(n)));
  const more = group.length - LISTED;
  if (more > 0) {
    const listUrl = listUrlOf(group);
    const link = listUrl ? ` <${listUrl}|See every alert in hostpulse>` : '';
    blocks.push(section(`…and ${more} more.${link}`));
  }
  const names = group.map((n) => `${n.rule} on ${n.hostName}`).join(', ');
  // The top-level text is mrkdwn too (it is what notifications show): escaped like the blocks.
  const text = fit(escape(`${group.length} alerts: ${counts}: ${names}`), SECTION_MAX);
  return { text, blocks };
}

/** `[FIRING high] cpu-high on web-1: CPU at 97% on web-1`, also used by phone notifications. */
export function fallbackText(n: AlertNotification): string {
  return fit(escape(`${tag(n)} ${n.rule} on ${n.hostName}: ${n.summary}`), SECTION_MAX);
}

function headline(n: AlertNotification): string {
  if (n.kind === 'resolved') return `:white_check_mark: RESOLVED: ${n.rule} on ${n.hostName}`;
  return `${ICONS[n.severity]} ${tag(n).slice(1, -1)}: ${n.rule} on ${n.hostName}`;
}

/** One alert of a group in one section: what, where, the value and a link. */
function listed(n: AlertNotification): string {
  const title = `*${escape(`${tag(n)} ${n.rule} on ${n.hostName}`)}*`;
  const facts = [`value ${formatValue(n.value)}`];
  // Alerts of one rule on one host differ only by labels (two checks down): name them.
  const labels = labelText(n);
  if (labels) facts.push(escape(labels));
  if (n.threshold) facts.push(`threshold ${escape(n.threshold)}`);
  const resolved = n.kind === 'resolved';
  facts.push(`${resolved ? 'resolved' : 'since'} ${date(resolved ? n.atMs : n.sinceMs)}`);
  if (n.url) facts.push(`<${n.url}|open>`);
  // The facts go first so that cutting a long summary never cuts the link.
  return `${title}\n${facts.join('  ·  ')}\n${escape(n.summary)}`;
}

function byRule(group: readonly AlertNotification[]): string {
  const counts = new Map<string, number>();
  for (const n of group) counts.set(n.rule, (counts.get(n.rule) ?? 0) + 1);
  return [...counts].map(([rule, count]) => `*${escape(rule)}*: ${count}`).join('  ·  ');
}

function labelText(n: AlertNotification): string {
  return Object.entries(n.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

function contextLine(n: AlertNotification): string {
  const labels = labelText(n);
  const parts = [`metric ${n.metric}`];
  if (labels) parts.push(`labels ${labels}`);
  const escaped = parts.map(escape);
  if (n.url) escaped.push(`<${n.url}|open in hostpulse>`);
  return escaped.join('  |  ');
}

function header(text: string) {
  return { type: 'header', text: { type: 'plain_text', text: fit(text, HEADER_MAX), emoji: true } };
}

function section(text: string) {
  return { type: 'section', text: mrkdwn(fit(text, SECTION_MAX)) };
}

function mrkdwn(text: string): Text {
  return { type: 'mrkdwn', text };
}

function field(title: string, value: string): Text {
  return mrkdwn(fit(`*${title}*\n${escape(value)}`, FIELD_MAX));
}

// Slack's date token shows the time in each reader's own zone; the fallback is UTC ISO.
function date(ms: number): string {
  const iso = new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time_secs}|${iso}>`;
}

function dateField(title: string, ms: number): Text {
  return mrkdwn(`*${title}*\n${date(ms)}`);
}

/** mrkdwn reads &, < and > as markup; a host name must never become a link or a mention. */
function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts to `max` UTF-16 units without splitting a surrogate pair or an escape like &amp;. */
export function fit(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  cut = cut.replace(/&[a-z]{0,4}$/, '');
  return `${cut}…`;
}
