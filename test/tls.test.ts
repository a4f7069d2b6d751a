import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agentBin,
  collectorBin,
  freePort,
  runCli,
  startProcess,
  tempDir,
  waitFor,
  writeFile,
  type RunningProcess,
} from './helpers/processes.js';

// A collector serving HTTPS with a certificate from a private CA, made here with openssl, and
// the agent trusting that CA through collector.ca_file. With another CA the agent refuses the
// connection and `--once` says what is wrong with the certificate.

const dir = tempDir('tls');
let collector: RunningProcess | undefined;
let url = '';
let token = '';

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir.path, stdio: 'pipe' });
}

function makeCa(name: string): void {
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`,
    '-keyout', `${name}.key`, '-out', `${name}.pem`);
}

beforeAll(async () => {
  makeCa('test-ca');
  makeCa('other-ca');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1',
    '-keyout', 'server.key', '-out', 'server.csr');
  writeFile(dir.path, 'san.ext', 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'test-ca.pem', '-CAkey', 'test-ca.key',
    '-CAcreateserial', '-days', '2', '-extfile', 'san.ext', '-out', 'server.pem');

  const port = await freePort();
  const config = writeFile(dir.path, 'collector.yaml', [
    `listen: 127.0.0.1:${port}`,
    `data_dir: ${dir.path}`,
    `tls: { cert_file: ${join(dir.path, 'server.pem')}, key_file: ${join(dir.path, 'server.key')} }`,
    '',
  ].join('\n'));
  expect(runCli(collectorBin, ['migrate', '--config', config]).status).toBe(0);
  token = runCli(collectorBin, ['token', 'create', '--agent', 'tls-agent', '--config', config]).stdout.trim();
  collector = startProcess('collector', collectorBin, ['--config', config], dir.path);
  url = `https://127.0.0.1:${port}`;
  const trusting = new Agent({ connect: { ca: readFileSync(join(dir.path, 'test-ca.pem')) } });
  await waitFor('the collector over HTTPS', async () => {
    const answer = await request(`${url}/healthz`, { dispatcher: trusting });
    await answer.body.text();
    return answer.statusCode === 200;
  });
  await trusting.close();
});

afterAll(async () => {
  await collector?.stop();
  dir.remove();
});

function once(caFile: string) {
  const config = writeFile(dir.path, 'agent.yaml', [
    `collector: { url: "${url}", token: "${token}", ca_file: ${join(dir.path, caFile)}, timeout: 5s }`,
    `buffer: { path: ${join(dir.path, 'agent.db')} }`,
    '',
  ].join('\n'));
  return runCli(agentBin, ['--once', '--config', config], { HOSTPULSE_AGENT_TOKEN: '' });
}

describe('TLS with a private CA', () => {
  it('lets an agent with ca_file in, token accepted', () => {
    const { stdout } = once('test-ca.pem');
    expect(stdout).toContain(`collector ${url}/`);
    expect(stdout).toMatch(/HTTP 200, token accepted: yes/);
  });

  it('refuses a collector signed by another CA, and --once says why', () => {
    const { status, stdout } = once('other-ca.pem');
    expect(status).toBe(1);
    expect(stdout).toContain(
      "unreachable: TLS certificate problem: the collector's certificate is not signed by a CA " +
        'this agent trusts; set collector.ca_file to the CA that signed it (',
    );
  });
});
