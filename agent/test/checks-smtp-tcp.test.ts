import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closedPort,
  makeCertificate,
  runCheck,
  settledConnections,
  startGreeter,
  startSilentListener,
  valueOf,
  type Certificate,
  type Target,
} from './helpers/check-targets.js';

// The smtp and tcp checks against real servers on 127.0.0.1: smtp-server without and with
// STARTTLS (a self-signed certificate made by openssl for this run), a server that refuses
// with 554, and a listener that accepts and never says a word.

interface Smtp {
  readonly port: number;
  readonly sessions: () => number;
  close(): Promise<void>;
}

async function startSmtp(options: { certificate?: Certificate }): Promise<Smtp> {
  let sessions = 0;
  const tls = options.certificate
    ? { key: options.certificate.key, cert: options.certificate.cert }
    : { disabledCommands: ['STARTTLS'] };
  const server = new SMTPServer({
    ...tls,
    authOptional: true,
    logger: false,
    onConnect: (_session, callback) => {
      sessions += 1;
      callback();
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    sessions: () => sessions,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

let plain: Smtp;
let secure: Smtp;
let certificate: Certificate;
let silent: Target;
let refusing: Target;

beforeAll(async () => {
  certificate = makeCertificate(30);
  plain = await startSmtp({});
  secure = await startSmtp({ certificate });
  silent = await startSilentListener();
  refusing = await startGreeter('554 5.3.2 no service here\r\n');
});

afterAll(async () => {
  await Promise.all([plain.close(), secure.close(), silent.close(), refusing.close()]);
  certificate.remove();
});

const smtp = (port: number, extra: object = {}) => ({
  name: 'mail',
  type: 'smtp',
  host: '127.0.0.1',
  port,
  ...extra,
});

describe('smtp check', () => {
  it('is up after the greeting and EHLO', async () => {
    const before = plain.sessions();
    const result = await runCheck(smtp(plain.port));
    expect(result.problems).toEqual([]);
    expect(valueOf(result, 'check_up')).toBe(1);
    expect(valueOf(result, 'check_latency_seconds')).toBeGreaterThan(0);
    expect(plain.sessions()).toBe(before + 1);
  });

  it('is up over STARTTLS with a certificate signed by ca_file', async () => {
    const options = { starttls: true, ca_file: certificate.certFile };
    const result = await runCheck(smtp(secure.port, options));
    expect(result.problems).toEqual([]);
    expect(valueOf(result, 'check_up')).toBe(1);
  });

  it('is down over STARTTLS when the certificate is not trusted', async () => {
    const result = await runCheck(smtp(secure.port, { starttls: true }));
    expect(valueOf(result, 'check_up')).toBe(0);
    expect(result.problems[0]?.message).toMatch(/self[- ]signed certificate/);
  });

  it('is down when STARTTLS is asked and not offered', async () => {
    const result = await runCheck(smtp(plain.port, { starttls: true }));
    expect(result.problems[0]?.message).toBe('the server does not offer STARTTLS');
  });

  it('is down when the greeting is not 220, quoting the server', async () => {
    const result = await runCheck(smtp(refusing.port));
    expect(result.problems[0]?.message).toBe(
      'the greeting was answered "554 5.3.2 no service here", expected 220',
    );
  });

  it('is down at its timeout when the server never greets', async () => {
    const result = await runCheck(smtp(silent.port, { timeout: '300ms' }));
    expect(result.problems[0]?.message).toBe('timed out after 300ms');
    expect(await settledConnections(silent)).toBe(0);
  });

  it('is down when nothing listens', async () => {
    const result = await runCheck(smtp(await closedPort()));
    expect(result.problems[0]?.message).toContain('ECONNREFUSED');
  });
});

describe('tcp check', () => {
  it('is up when the port accepts a connection', async () => {
    const entry = { name: 'ssh', type: 'tcp', host: '127.0.0.1', port: silent.port };
    const result = await runCheck(entry);
    expect(result.problems).toEqual([]);
    expect(result.series.map((s) => [s.metric, s.labels])).toEqual([
      ['check_up', { check: 'ssh', type: 'tcp' }],
      ['check_latency_seconds', { check: 'ssh', type: 'tcp' }],
    ]);
  });

  it('is down when nothing listens', async () => {
    const port = await closedPort();
    const result = await runCheck({ name: 'ssh', type: 'tcp', host: '127.0.0.1', port });
    expect(valueOf(result, 'check_up')).toBe(0);
    expect(result.problems[0]?.message).toBe(`connect ECONNREFUSED 127.0.0.1:${port}`);
  });
});
