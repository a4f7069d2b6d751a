import { formatValue } from '../alerting/summary.js';
import { tag } from './slack-message.js';
import type { AlertNotification } from './notifier.js';

// Subject, text and HTML of one alert mail. Host names and label values come from agents, so
// they are untrusted: no CR/LF reaches a header, every value is escaped in the HTML part.

export interface EmailMessage {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export function buildEmailMessage(n: AlertNotification): EmailMessage {
  const title = headerSafe(`${tag(n)} ${n.rule} on ${n.hostName}`);
  const subject = title.slice(0, 200);
  // One line per fact in the text part too, so a value cannot fake further rows.
  const rows = rowsOf(n).map(([k, v]): [string, string] => [headerSafe(k), headerSafe(v)]);
  const text = [title, '', n.summary, '', ...rows.map(([k, v]) => `${k}: ${v}`)];
  if (n.url) text.push('', n.url);
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<h2>${escapeHtml(title)}</h2>`,
    `<p>${escapeHtml(n.summary)}</p>`,
    '<table cellpadding="4" style="border-collapse:collapse">',
    ...rows.map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`),
    '</table>',
    n.url ? `<p><a href="${escapeHtml(n.url)}">Open in hostpulse</a></p>` : '',
    '</body></html>',
  ];
  return { subject, text: text.join('\n'), html: html.join('\n') };
}

function rowsOf(n: AlertNotification): [string, string][] {
  const rows: [string, string][] = [
    ['Host', n.hostName],
    ['Rule', n.rule],
    ['Severity', n.severity],
    ['Value', formatValue(n.value)],
    ['Metric', n.metric],
    ['Since', new Date(n.sinceMs).toISOString()],
  ];
  if (n.kind === 'resolved') rows.push(['Resolved', new Date(n.atMs).toISOString()]);
  for (const [key, value] of Object.entries(n.labels)) rows.push([`Label ${key}`, value]);
  return rows;
}

/** Control characters (CR and LF above all) would let a host name write its own mail headers. */
export function headerSafe(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
