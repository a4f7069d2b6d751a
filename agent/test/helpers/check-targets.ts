import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type RequestListener } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@hostpulse/shared';
import { loadAgentSettings } from '../../src/config.js';
import { createSamplerSet } from '../../src/sampler-set.js';
import type { SampleResult } from '../../src/samplers/sampler.js';

// Real targets on 127.0.0.1 for the check tests, and a way to run one check entry through the
// real loader and sampler set, as the daemon and --once do.

export interface Target {
  readonly port: number;
  /** Connections open now: a check that gave up must have closed its own. */
  openConnections(): number;
  close(): Promise<void>;
}

/** Waits up to 2 s for a target's connections to close; returns how many are still open. */
export async function settledConnections(target: Target): Promise<number> {
  for (let i = 0; i < 40 && target.openConnections() > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return target.openConnections();
}

/** Runs `checks: [entry]` once, loaded from a real agent.yaml (defaults and checks applied). */
export async function runCheck(entry: object, intervalMs = 10_000): Promise<SampleResult> {
  const dir = mkdtempSync(join(tmpdir(), 'hostpulse-check-'));
  try {
    const file = join(dir, 'agent.yaml');
    const yaml = { collector: { url: 'http://127.0.0.1:9' }, interval: `${intervalMs}ms` };
    writeFileSync(file, JSON.stringify({ ...yaml, checks: [entry] }));
    const { config } = loadAgentSettings(file, {});
    const set = createSamplerSet({ config, log: silentLogger() });
    const check = set.find((s) => s.check !== undefined);
    if (!check) throw new Error('no check in the sampler set');
    return await check.sampler.sample(Date.now());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function valueOf(result: SampleResult, metric: string): number | undefined {
  return result.series.find((s) => s.metric === metric)?.value;
}

/** A net server that accepts connections and never writes a byte: a hung service. */
export async function startSilentListener(): Promise<Target> {
  // It reads (and drops) what comes in: a socket never read never sees the client's close.
  return listen(createNetServer((socket) => socket.resume()));
}

/** A net server that greets each connection with `text` and keeps it open. */
export async function startGreeter(text: string): Promise<Target> {
  return listen(createNetServer((socket) => socket.resume().write(text)));
}

/** A port nothing listens on: a server started and closed again. */
export async function closedPort(): Promise<number> {
  const target = await startSilentListener();
  await target.close();
  return target.port;
}

export function startHttp(handler: RequestListener): Promise<Target> {
  return listen(createHttpServer(handler));
}

export function startHttps(handler: RequestListener, cert: Certificate): Promise<Target> {
  return listen(createHttpsServer({ key: cert.key, cert: cert.cert }, handler));
}

export interface Certificate {
  readonly dir: string;
  readonly certFile: string;
  readonly key: string;
  readonly cert: string;
  remove(): void;
}

/** A self-signed certificate for 127.0.0.1, valid `days` days, made by openssl in a temp dir. */
export function makeCertificate(days: number): Certificate {
  const dir = mkdtempSync(join(tmpdir(), 'hostpulse-cert-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256',
    '-days', String(days), '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1',
    '-keyout', keyFile, '-out', certFile,
  ], { stdio: 'ignore' });
  return {
    dir,
    certFile,
    key: readFileSync(keyFile, 'utf8'),
    cert: readFileSync(certFile, 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Listens on a free port; close() drops the connections still open, then stops listening. */
function listen(server: Server): Promise<Target> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    // A client that resets is normal here (checks that time out drop their connection).
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('no port');
      resolve({
        port: address.port,
        openConnections: () => sockets.size,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
