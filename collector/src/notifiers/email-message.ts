import { formatValue } from '../alerting/summary.js';
import { countsLine, listUrlOf, tag } from './group-summary.js';
import type { AlertNotification } from './notifier.js';

// Subject, text and HTML of one alert mail, for one alert or a group that came at once. Host
// names, label values and summaries come from agents, so they are untrusted: control
// characters (CR and LF above all) become spaces before anything reaches a header or a line of
// the text part, and every value is escaped in the HTML part. nodemailer encodes the subject
// (RFC 2047) and the parts (UTF-8) itself.

export interface EmailMessage {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

const SUBJECT_MAX = 200;

export function buildEmailMessage(group: readonly AlertNotification[]): EmailMessage {
  const [first] = group;
  if (!first) throw new Error('buildEmailMessage needs at least one notification');
  if (group.length === 1) return single(first);
  const title = `[hostpulse] ${group.length} alerts: ${countsLine(group)}`;
  const listUrl = listUrlOf(group);
  const text = [title, ''];
  for (const n of group) text.push(titleOf(n), ...textBlock(n), '');
  if (listUrl) text.push(listUrl);
  const html = [
    ...htmlHead(title),
    ...group.flatMap((n) => [`<h3>${escapeHtml(titleOf(n))}</h3>`, ...htmlFacts(n)]),
    listUrl ? `<p><a href="${escapeHtml(listUrl)}">Every alert in hostpulse</a></p>` : '',
    '</body></html>',
  ];
  return { subject: title, text: text.join('\n'), html: html.join('\n') };
}

function single(n: AlertNotification): EmailMessage {
  const title = titleOf(n);
  const text = [title, '', ...textBlock(n)];
  const html = [...htmlHead(title), ...htmlFacts(n), '</body></html>'];
  return { subject: cutSubject(title), text: text.join('\n'), html: html.join('\n') };
}

function titleOf(n: AlertNotification): string {
  return headerSafe(`${tag(n)} ${n.rule} on ${n.hostName}`);
}

/** The summary, one line per fact, and the link: each line safe, so none can fake another. */
function textBlock(n: AlertNotification): string[] {
  const lines = [headerSafe(n.summary), '', ...rowsOf(n).map(([k, v]) => `${k}: ${v}`)];
  if (n.url) lines.push('', n.url);
  return lines;
}

function htmlHead(title: string): string[] {
  return [
    '<!doctype html><html><head><meta charset="utf-8"></head>',
    '<body style="font-family:sans-serif">',
    `<h2>${escapeHtml(title)}</h2>`,
  ];
}

function htmlFacts(n: AlertNotification): string[] {
  const cell = ([k, v]: [string, string]) =>
    `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`;
  return [
    `<p>${escapeHtml(headerSafe(n.summary))}</p>`,
    '<table cellpadding="4" style="border-collapse:collapse">',
    ...rowsOf(n).map(cell),
    '</table>',
    n.url ? `<p><a href="${escapeHtml(n.url)}">Open in hostpulse</a></p>` : '',
  ];
}

function rowsOf(n: AlertNotification): [string, string][] {
  const rows: [string, string][] = [
    ['Host', n.hostName],
    ['Rule', n.rule],
    ['Severity', n.severity],
    ['Value', formatValue(n.value)],
  ];
  if (n.threshold) rows.push(['Threshold', n.threshold]);
  rows.push(['Metric', n.metric], ['Since', new Date(n.sinceMs).toISOString()]);
  if (n.kind === 'resolved') rows.push(['Resolved', new Date(n.atMs).toISOString()]);
  for (const [key, value] of Object.entries(n.labels)) rows.push([`Label ${key}`, value]);
  return rows.map(([k, v]) => [headerSafe(k), headerSafe(v)]);
}

/** Cuts by code points, so a cut never leaves half a character for the encoder. */
function cutSubject(text: string): string {
  const chars = Array.from(text);
  return chars.length > SUBJECT_MAX ? `${chars.slice(0, SUBJECT_MAX - 1).join('')}…` : text;
}

/** Control characters (CR and LF above all) would let a host name write its own mail headers. */
export function headerSafe(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
