import { describe, expect, it } from 'vitest';
import type { AlertNotification } from './notifier.js';
import { buildSlackMessage, fit, FIELD_MAX, HEADER_MAX, SECTION_MAX } from './slack-message.js';

// Slack refuses a whole message when one block breaks a limit: these groups are built to break
// every one (long names, many alerts, markup in host names) and must come out within them.

const at = Date.UTC(2026, 11, 4, 12, 0, 0);

function alert(i: number, over: Partial<AlertNotification> = {}): AlertNotification {
  return {
    kind: 'firing',
    alertId: `a${i}`,
    rule: 'rack-down',
    metric: 'check_up',
    hostId: `h${i}`,
    hostName: `web-${i}`,
    labels: { rack: 'r7' },
    severity: 'critical',
    value: 0,
    threshold: '< 1',
    summary: `web-${i} is down`,
    sinceMs: at,
    atMs: at,
    url: `https://hp.example.com/alerts/a${i}`,
    ...over,
  };
}

/** Every text in the message with the limit of the place it sits in. */
function textsWithLimits(blocks: any[]): [string, number][] {
  const found: [string, number][] = [];
  for (const b of blocks) {
    if (b.type === 'header') found.push([b.text.text, HEADER_MAX]);
    if (b.type === 'section' && b.text) found.push([b.text.text, SECTION_MAX]);
    for (const f of b.fields ?? []) found.push([f.text, FIELD_MAX]);
    for (const e of b.elements ?? []) found.push([e.text, FIELD_MAX]);
  }
  return found;
}

describe('combined Slack message', () => {
  it('lists the first alerts and links to the rest for 500 alerts', () => {
    const group = Array.from({ length: 500 }, (_, i) =>
      alert(i, i % 50 === 0 ? { kind: 'resolved' } : {}),
    );
    const { blocks, text } = buildSlackMessage(group) as unknown as { blocks: any[]; text: string };
    expect(blocks.length).toBeLessThanOrEqual(50);
    expect(blocks[0].text.text).toBe(':red_circle: 500 alerts: 490 firing, 10 resolved');
    expect(blocks.at(-1).text.text).toBe(
      '…and 480 more. <https://hp.example.com/alerts|See every alert in hostpulse>',
    );
    const listed = blocks.filter((b) => b.text?.text?.startsWith('*[FIRING critical] rack-down'));
    expect(listed[0].text.text).toContain('<https://hp.example.com/alerts/a1|open>');
    for (const [t, max] of textsWithLimits(blocks)) expect(t.length).toBeLessThanOrEqual(max);
    expect(text.length).toBeLessThanOrEqual(SECTION_MAX);
    expect(text.startsWith('500 alerts: 490 firing, 10 resolved: rack-down on web-0')).toBe(true);
  });

  it('names the labels of each listed alert: two checks down on one host differ only there', () => {
    const group = [
      alert(1, { hostName: 'db-1', labels: { check: 'port', type: 'tcp' } }),
      alert(2, { hostName: 'db-1', labels: { check: 'web', type: 'http' } }),
    ];
    const { blocks } = buildSlackMessage(group) as unknown as { blocks: any[] };
    const listed = blocks.filter((b) => b.text?.text?.startsWith('*[FIRING critical]'));
    expect(listed.map((b) => b.text.text.split('\n')[1].split('  ·  ')[1])).toEqual([
      'check=port, type=tcp',
      'check=web, type=http',
    ]);
  });

  it('stays within every limit whatever the names and summaries', () => {
    const huge = 'ü'.repeat(5_000);
    const group = Array.from({ length: 60 }, (_, i) =>
      alert(i, { rule: `r${i}-${'x'.repeat(200)}`, hostName: `<!channel> ${huge}`, summary: huge }),
    );
    const message = buildSlackMessage(group) as unknown as { blocks: any[]; text: string };
    const { blocks } = message;
    expect(blocks.length).toBeLessThanOrEqual(50);
    for (const [t, max] of textsWithLimits(blocks)) expect(t.length).toBeLessThanOrEqual(max);
    // The top-level text is what phones show, and Slack reads mentions in it too.
    expect(JSON.stringify(message)).not.toContain('<!channel>');
  });

  it('cuts without splitting a character or an escape', () => {
    expect(fit('ab😀cd', 4)).toBe('ab…');
    expect(fit('abc&amp;def', 6)).toBe('abc…');
    expect(fit('short', 10)).toBe('short');
  });
});
