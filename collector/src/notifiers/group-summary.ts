import type { AlertNotification } from './notifier.js';

// Words every notifier uses for one notification and for a group of them.

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

const KIND_WORDS = [
  ['firing', 'firing'],
  ['escalated', 'escalated'],
  ['deescalated', 'de-escalated'],
  ['repeat', 'still firing'],
  ['resolved', 'resolved'],
] as const;

/** `430 firing, 7 resolved`: how many of each kind, in a fixed order, none of the absent ones. */
export function countsLine(group: readonly AlertNotification[]): string {
  return KIND_WORDS.map(([kind, word]) => [group.filter((n) => n.kind === kind).length, word])
    .filter(([count]) => count !== 0)
    .map(([count, word]) => `${count} ${word}`)
    .join(', ');
}

/** The dashboard's alert list, from the link of an alert (`…/alerts/<id>` → `…/alerts`). */
export function listUrlOf(group: readonly AlertNotification[]): string | undefined {
  const url = group.find((n) => n.url)?.url;
  return url?.replace(/\/alerts\/[^/]*$/, '/alerts');
}
