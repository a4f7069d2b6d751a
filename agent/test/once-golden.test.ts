import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeCollector, type FakeCollector } from './helpers/fake-collector.js';
import { FIXTURES_DIR, fixtureRoot } from './fixtures/snapshot-root.js';

// The built agent's `--once --json` on the complete fixture root `kvm-guest`, compared with the
// checked-in fixtures/once-kvm-guest.json (as node_exporter's e2e output). What changes from
// run to run is replaced before comparing: statfs figures (the fixture folders live on the
// build machine's disk), the buffer's temporary path, the collector's URL, round trip and clock
// skew. Rates are 0: both readings of --once see the same files.
// After an intended change: HOSTPULSE_UPDATE_GOLDEN=1 npx vitest run agent/test/once-golden

const bin = resolve(import.meta.dirname, '..', 'bin', 'hostpulse-agent.js');
const expectedFile = join(FIXTURES_DIR, 'once-kvm-guest.json');

interface OnceValue {
  metric: string;
  labels: Record<string, string>;
  value: number | string;
  unit: string;
}

/** The report with every volatile field replaced by a placeholder naming what it stood for. */
export function normaliseOnceReport(report: Record<string, unknown>, dir: string): unknown {
  const values = (report.values as OnceValue[]).map((v) =>
    v.metric.startsWith('filesystem_') ? { ...v, value: '<statfs>' } : v,
  );
  const collector = { ...(report.collector as Record<string, unknown>) };
  collector.url = '<fake collector>';
  if ('roundTripMs' in collector) collector.roundTripMs = '<ms>';
  if ('clockSkewMs' in collector) collector.clockSkewMs = '<ms>';
  const text = JSON.stringify({ ...report, values, collector }).replaceAll(dir, '<tmp>');
  return JSON.parse(text.replaceAll(FIXTURES_DIR, '<fixtures>'));
}

describe('hostpulse-agent --once --json on a fixture root', () => {
  let dir: string;
  let collector: FakeCollector;

  beforeAll(async () => {
    if (!existsSync(resolve(import.meta.dirname, '..', 'dist', 'main.js'))) {
      throw new Error('agent/dist/main.js is missing: run `npx tsc -b` in the repository first');
    }
    dir = mkdtempSync(join(tmpdir(), 'hostpulse-golden-'));
    collector = await startFakeCollector((request) => ({
      status: 200,
      body: request.method === 'GET' ? { serverTimeMs: Date.now(), tokenKind: 'agent' } : {},
    }));
  });

  afterAll(async () => {
    await collector.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('matches the checked-in expected report', async () => {
    const config = join(dir, 'agent.yaml');
    writeFileSync(
      config,
      [
        `collector: { url: "${collector.url}", token: hp_golden, timeout: 2s }`,
        `root: ${fixtureRoot('kvm-guest')}`,
        'host: { name: kvm-guest }',
        'labels: { env: test }',
        `buffer: { path: ${join(dir, 'agent.db')} }`,
        '',
      ].join('\n'),
    );
    const child = spawn(process.execPath, [bin, '--once', '--json', '-c', config], {
      env: { ...process.env, HOSTPULSE_AGENT_TOKEN: '' },
    });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    const status = await new Promise<number | null>((done) => child.once('exit', done));
    const actual = normaliseOnceReport(JSON.parse(stdout) as Record<string, unknown>, dir);
    if (process.env.HOSTPULSE_UPDATE_GOLDEN === '1') {
      writeFileSync(expectedFile, `${JSON.stringify(actual, null, 2)}\n`);
    }
    expect(actual).toEqual(JSON.parse(readFileSync(expectedFile, 'utf8')));
    // /boot/efi is missing in the fixture: a statfs problem, so --once exits 1.
    expect(status).toBe(1);
  });
});
