import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BatchMessage, encodeBatch } from '@hostpulse/shared';
import { chromium, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiToken } from './helpers/e2e.js';
import { collectorBin, freePort, runCli, startProcess, tempDir, waitFor, writeFile } from './helpers/processes.js';
import type { RunningProcess } from './helpers/processes.js';

// The dashboard in a real browser: Debian's Chromium, headless, against a real collector process
// on its embedded store with a few batches from two hosts. It signs in with a viewer token and
// checks the host list, the open alert and the host page's charts, with no console error (a
// script error or a Content-Security-Policy violation would show there). An agent token is
// refused at sign-in, and so is text that is not a token.

const CHROMIUM = '/usr/bin/chromium';
// Without the networking switches Chromium phones home for updates, sync and safe browsing.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const WAIT_MS = 15_000;
const HOSTS = ['web-1', 'db-1'];

function collectorYaml(port: number, dir: string): string {
  return `listen: 127.0.0.1:${port}
data_dir: ${dir}
rules:
  - name: cpu-high
    metric: cpu_usage_percent
    thresholds: [{ severity: critical, above: 90 }]
`;
}

/**
 * Ten minutes of figures, one sample every 30 s, in two batches; db-1 runs hot. web-1's role
 * changed between its batches (api, then web), so it has two CPU series of the same name.
 */
function batches(host: string, nowMs: number): Uint8Array[] {
  const times = Array.from({ length: 20 }, (_, i) => nowMs - (19 - i) * 30_000);
  const cpu = host === 'db-1' ? 95 : 20;
  const cpuLabels = (seq: number): Record<string, string> =>
    host === 'web-1' ? { role: seq === 1 ? 'api' : 'web' } : {};
  const series = (metric: string, labels: Record<string, string>, value: (i: number) => number) =>
    ({ metric, labels, timestampsMs: times, values: times.map((_, i) => value(i)) });
  const all = (seq: number) => [
    series('cpu_usage_percent', cpuLabels(seq), (i) => cpu + (i % 3)),
    series('memory_used_percent', {}, (i) => 40 + i / 2),
    series('load_1m', {}, (i) => 0.5 + (i % 4) / 10),
    series('filesystem_used_percent', { mount: '/', device: '/dev/vda1', fstype: 'ext4' }, () => 71.5),
    series('filesystem_used_percent', { mount: '/var', device: '/dev/vdb1', fstype: 'ext4' }, () => 35),
    series('network_receive_bytes_per_second', { interface: 'eth0' }, (i) => 1_000_000 + i * 1000),
  ];
  const half = (from: number, to: number, seq: number) =>
    encodeBatch(
      BatchMessage.create({
        agentId: `agent-${host}`,
        hostName: host,
        agentVersion: '0.1.0',
        incarnation: 'inc-1',
        seq,
        sentAtMs: nowMs,
        intervalMs: 30_000,
        labels: { env: 'test' },
        series: all(seq).map((one) => ({
          ...one,
          timestampsMs: one.timestampsMs.slice(from, to),
          values: one.values.slice(from, to),
        })),
      }),
    );
  return [half(0, 10, 1), half(10, 20, 2)];
}

/**
 * A console error other than the one Chromium writes for the page's own 401 (the sign-in page
 * every browser gets, since navigation carries no token).
 */
function isUnexpected(message: ConsoleMessage, page: Page): boolean {
  if (message.type() !== 'error') return false;
  const isSignInAnswer = message.location().url === page.url() && /status of 401/.test(message.text());
  return !isSignInAnswer;
}

describe('the dashboard in headless Chromium', () => {
  const dir = tempDir('dashboard-browser');
  let collector: RunningProcess | undefined;
  let browser: BrowserContext | undefined;
  let url = '';
  let viewerToken = '';
  let agentToken = '';

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing; install Debian's Chromium with ` +
          '`DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium`',
      );
    }
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const config = writeFile(dir.path, 'collector.yaml', collectorYaml(port, dir.path));
    const migrated = runCli(collectorBin, ['migrate', '--config', config]);
    expect(migrated.status, migrated.stderr).toBe(0);
    viewerToken = apiToken(config, 'browser-viewer', 'viewer');
    const made = runCli(collectorBin, ['token', 'create', '--agent', 'browser-agent', '--config', config]);
    agentToken = /hp_[A-Za-z0-9_-]+/.exec(made.stdout)?.[0] ?? '';
    expect(agentToken, made.stdout + made.stderr).not.toBe('');

    collector = startProcess('collector', collectorBin, ['--config', config], dir.path);
    await waitFor('collector ready', async () => (await fetch(`${url}/readyz`)).ok || undefined);
    const nowMs = Date.now();
    for (const host of HOSTS) {
      for (const body of batches(host, nowMs)) {
        const headers = { authorization: `Bearer ${agentToken}`, 'content-type': 'application/x-protobuf' };
        const answer = await fetch(`${url}/api/v1/ingest`, { method: 'POST', headers, body });
        expect(answer.status, await answer.text()).toBe(200);
      }
    }

    browser = await chromium.launchPersistentContext(join(dir.path, 'chromium-profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
      timeout: WAIT_MS,
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await collector?.stop();
    dir.remove();
  });

  async function openPage(): Promise<{ page: Page; errors: string[] }> {
    const page = await browser!.newPage();
    page.setDefaultTimeout(WAIT_MS);
    const errors: string[] = [];
    page.on('console', (message) => {
      if (isUnexpected(message, page)) errors.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
    const answer = await page.goto(`${url}/`);
    expect(answer?.status()).toBe(401);
    await page.locator('#sign-in-form').waitFor();
    return { page, errors };
  }

  it('refuses an agent token at sign-in and keeps nothing', async () => {
    const { page, errors } = await openPage();
    await page.fill('#token-input', agentToken);
    await page.click('#sign-in-form button');
    await expect.poll(() => page.textContent('#sign-in-error'), { timeout: WAIT_MS }).toMatch(/agent token/);
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    expect(await page.isHidden('#overview-view')).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('refuses text that is not a token, saying how long it is but never showing it', async () => {
    const { page, errors } = await openPage();
    const pasted = 'correct-horse-battery-staple';
    await page.fill('#token-input', pasted);
    await page.click('#sign-in-form button');
    await expect.poll(() => page.textContent('#sign-in-error'), { timeout: WAIT_MS }).toBe(
      'That is not a hostpulse token: a token starts with hp_ and is 46 characters long ' +
        '(this one is 28 characters and does not start with hp_).',
    );
    expect(await page.content()).not.toContain(pasted);
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('signs in with a viewer token and shows hosts, the alert and a host with its charts', async () => {
    const { page, errors } = await openPage();
    await page.fill('#token-input', viewerToken);
    await page.click('#sign-in-form button');

    const rows = page.locator('table.hosts tbody tr');
    await expect.poll(() => rows.count(), { timeout: WAIT_MS }).toBe(2);
    const names = await page.locator('table.hosts tbody tr td:first-child').allTextContents();
    expect(names.sort()).toEqual([...HOSTS].sort());
    const web = page.locator('table.hosts tr[data-host="agent-web-1"]');
    await expect.poll(() => web.textContent(), { timeout: WAIT_MS }).toMatch(/up.*%.*71\.5 % \//);

    const alert = page.locator('table.alerts tbody tr');
    await expect.poll(() => alert.textContent(), { timeout: WAIT_MS }).toMatch(/critical.*firing.*db-1.*cpu-high/);

    // The token is kept for this tab only: no cookie, nothing in the address.
    expect(await page.evaluate("sessionStorage.getItem('hostpulse.token')")).toBe(viewerToken);
    expect(await browser!.cookies()).toEqual([]);
    expect(page.url()).not.toContain('hp_');

    await page.click('table.hosts a:text("web-1")');
    const cpu = page.locator('figure[data-chart="CPU"]');
    const line = cpu.locator('path.line').first();
    // Attached, not visible: a flat line has no height, which Playwright counts as hidden.
    await line.waitFor({ state: 'attached' });
    expect(await line.getAttribute('d')).toMatch(/^M[\d.]+,[\d.]+(L[\d.]+,[\d.]+){5,}/);
    // Two series both named "used": the legend tells them apart by the label that differs.
    expect(await cpu.locator('.legend').textContent()).toMatch(/used \(role=api\) 2\d %used \(role=web\) 2\d %/);
    const filesystem = page.locator('figure[data-chart="Filesystem use"] .legend');
    await expect.poll(() => filesystem.textContent(), { timeout: WAIT_MS }).toMatch(/\/ 71\.5 %.*\/var 35 %/);
    expect(await page.textContent('.host-page h1')).toMatch(/web-1\s*up/);

    // A notification's link: a navigation without a token, answered by the page kept in the tab.
    const headers = { authorization: `Bearer ${viewerToken}` };
    const answer = await fetch(`${url}/api/v1/alerts?state=firing`, { headers });
    const { alerts } = (await answer.json()) as { alerts: { id: string }[] };
    expect(alerts).toHaveLength(1);
    expect((await page.goto(`${url}/alerts/${alerts[0]!.id}`))?.status()).toBe(401);
    const transitions = page.locator('.alert-page table.transitions');
    await expect.poll(() => transitions.textContent(), { timeout: WAIT_MS }).toMatch(/firing.*critical/);
    expect(await page.textContent('.alert-page h1')).toMatch(/critical\s*cpu-high on db-1/);

    await page.click('#sign-out');
    await page.locator('#sign-in-form').waitFor();
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    expect(await page.locator('.alert-page, table.hosts').count()).toBe(0);

    expect(errors).toEqual([]);
    await page.close();
  });
}, 120_000);
