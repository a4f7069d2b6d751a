import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { auditActor, cliActor, recordAudit } from './audit.js';
import type { AuditEntry, Storage } from './storage/storage.js';

describe('recordAudit', () => {
  it('records the token name and client address of the request, as a route would', async () => {
    const rows: AuditEntry[] = [];
    const storage = { recordAudit: async (entry: AuditEntry) => void rows.push(entry) } as Storage;
    const app = Fastify();
    app.decorateRequest('token', null);
    app.addHook('onRequest', async (request) => {
      request.token = { name: 'ops-jane', kind: 'api', role: 'operator', createdMs: 0, revokedMs: null };
    });
    app.post('/ack', async (request) => {
      await recordAudit(storage, { ...auditActor(request), action: 'alert.ack', target: 'a-1' });
      return {};
    });
    await app.inject({ method: 'POST', url: '/ack', remoteAddress: '10.0.0.7' });
    await app.close();
    expect(rows).toEqual([
      { actor: 'ops-jane', action: 'alert.ack', target: 'a-1', detail: {}, remoteAddress: '10.0.0.7' },
    ]);
  });

  it('names the command line as cli: and the OS user', () => {
    expect(cliActor()).toMatch(/^cli:\S+$/);
  });
});
