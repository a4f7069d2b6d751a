import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@hostpulse/shared';
import { auditEntry, recordAudit } from '../src/audit.js';
import { openStorage } from '../src/storage/open-storage.js';
import { BACKENDS, startOn } from './helpers/backends.js';
import { call, type TestCollector } from './helpers/collector-server.js';

// The audit log on both backends: token changes write their row in the same transaction,
// recordAudit() adds one, GET /api/v1/audit reads them for admins. The command line is the
// built binary (run `npx tsc -b` first).

describe.each(BACKENDS)('audit log on %s', (backend) => {
  let collector: TestCollector;
  beforeAll(async () => {
    collector = await startOn(backend);
  });
  afterAll(() => collector.close());

  const cli = auditEntry({ actor: 'cli:alice', action: 'token.create', target: 'web-9' });

  it('writes a token change and its audit row together, and neither when the change fails', async () => {
    const { storage } = collector;
    const token = { name: 'web-9', kind: 'agent', role: null, hash: 'a'.repeat(64) } as const;
    await storage.createToken(token, cli);
    await expect(storage.createToken({ ...token, hash: 'b'.repeat(64) }, cli)).rejects.toThrow(
      'a live token named "web-9" already exists',
    );
    const revoke = auditEntry({ actor: 'cli:alice', action: 'token.revoke', target: 'web-9' });
    expect(await storage.revokeToken('web-9', revoke)).toBe(true);
    expect(await storage.revokeToken('web-9', revoke)).toBe(false);

    const rows = await storage.listAudit({ actor: 'cli:alice', limit: 10 });
    expect(rows.map((row) => [row.action, row.target])).toEqual([
      ['token.revoke', 'web-9'],
      ['token.create', 'web-9'],
    ]);
    expect(rows[0]).toMatchObject({ actor: 'cli:alice', remoteAddress: null, detail: {} });
    expect(rows[0]?.timeMs).toBeGreaterThan(Date.now() - 60_000);
  });

  it('serves recordAudit() rows newest first to admins, with filters', async () => {
    const detail = { comment: 'deploy window', matchers: { host: 'web-*' } };
    const entry = {
      actor: 'operator',
      action: 'silence.create',
      target: 's-1',
      detail,
      remoteAddress: '127.0.0.1',
    } as const;
    await recordAudit(collector.storage, entry);

    const url = `${collector.url}/api/v1/audit?action=silence.create&limit=5`;
    const answer = await call(url, { token: collector.tokens.admin });
    expect(answer.status).toBe(200);
    expect(answer.json.entries).toHaveLength(1);
    expect(answer.json.entries[0]).toMatchObject({ ...entry, id: expect.any(Number) });

    const since = await call(`${collector.url}/api/v1/audit?since=${Date.now() + 60_000}`, {
      token: collector.tokens.admin,
    });
    expect(since.json.entries).toEqual([]);
    const bad = await call(`${collector.url}/api/v1/audit?since=soon`, { token: collector.tokens.admin });
    expect(bad.status).toBe(400);
    const viewer = await call(`${collector.url}/api/v1/audit`, { token: collector.tokens.viewer });
    expect(viewer.status).toBe(403);
  });
});

describe('token commands', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hostpulse-audit-cli-'));
  const config = join(dir, 'collector.yaml');
  const bin = resolve(import.meta.dirname, '..', 'bin', 'hostpulse-collector.js');
  writeFileSync(config, `data_dir: ${dir}\n`);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function cli(...args: string[]) {
    const env = { PATH: process.env.PATH };
    const result = spawnSync(process.execPath, [bin, ...args, '--config', config], { encoding: 'utf8', env, timeout: 30_000 });
    expect(result.status, result.stderr).toBe(0);
    return result.stdout;
  }

  it('leave an audit row naming cli and the OS user', async () => {
    cli('migrate');
    const token = cli('token', 'create', '--api', 'grafana', '--role', 'viewer').trim();
    cli('token', 'revoke', 'grafana');

    const storage = await openStorage({ poolMax: 1, dataDir: dir, log: silentLogger() });
    try {
      const rows = await storage.listAudit({ limit: 10 });
      const actor = `cli:${userInfo().username}`;
      expect(rows.map((row) => [row.actor, row.action, row.target, row.detail])).toEqual([
        [actor, 'token.revoke', 'grafana', {}],
        [actor, 'token.create', 'grafana', { kind: 'api', role: 'viewer' }],
      ]);
      expect(JSON.stringify(rows)).not.toContain(token);
    } finally {
      await storage.close();
    }
  });
});
