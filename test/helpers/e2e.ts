import { createServer, type Server } from 'node:http';
import { collectorBin, runCli } from './processes.js';
import type { SlackStandIn } from './stand-ins.js';

// Small pieces the cross-part end-to-end tests share: an agent.yaml with every sampler off (the
// tests watch checks and backups, and a cycle of only those is quick), API tokens made with the
// real CLI, an HTTP target whose status a test sets, and JSON calls to the collector's API.

const SAMPLERS = ['cpu', 'memory', 'load', 'filesystem', 'diskio', 'network'];

/** Top-level agent.yaml lines turning every sampler off, plus `extra`. */
export function agentYamlWithoutSamplers(extra: string): string {
  const off = SAMPLERS.map((name) => `  ${name}: { enabled: false }`).join('\n');
  return `samplers:\n${off}\n${extra}`;
}

/** Makes an API token with the collector's CLI and returns it. */
export function apiToken(configFile: string, name: string, role: 'viewer' | 'operator' | 'admin') {
  const args = ['token', 'create', '--api', name, '--role', role, '--config', configFile];
  const made = runCli(collectorBin, args);
  const token = /hp_[A-Za-z0-9_-]+/.exec(made.stdout)?.[0];
  if (!token) throw new Error(`token create --api printed no token: ${made.stdout}${made.stderr}`);
  return token;
}

export interface StatusTarget {
  readonly url: string;
  status: number;
  close(): Promise<void>;
}

/** An HTTP server answering every request with `status` (changeable while it runs). */
export async function startStatusTarget(status: number): Promise<StatusTarget> {
  const target = { url: '', status, close: async () => undefined };
  const server: Server = createServer((_req, res) => {
    res.writeHead(target.status, { 'content-type': 'text/plain' }).end(`status ${target.status}`);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  target.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  target.close = () => {
    server.closeAllConnections();
    return new Promise<undefined>((done) => server.close(() => done(undefined)));
  };
  return target;
}

/** GET (no body), POST (a body) or DELETE against the collector's API; throws on non-2xx. */
export async function api(
  base: string,
  token: string,
  path: string,
  body?: unknown,
  method = body === undefined ? 'GET' : 'POST',
): Promise<any> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  const init: RequestInit = { method, headers };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    headers['content-type'] = 'application/json';
  }
  const answer = await fetch(`${base}${path}`, init);
  const text = await answer.text();
  if (!answer.ok) throw new Error(`${method} ${path}: ${answer.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** What Slack shows about each alert: the whole message, or its section in a combined one. */
export function alertTexts(slack: SlackStandIn): string[] {
  return slack.messages.flatMap(({ body }) =>
    /^\d+ alerts/.test(body.text)
      ? body.blocks.map((b: unknown) => JSON.stringify(b))
      : [JSON.stringify(body)],
  );
}

/** Whether Slack was told, about one alert, something matching every pattern. */
export const told = (slack: SlackStandIn, ...patterns: RegExp[]) =>
  alertTexts(slack).some((text) => patterns.every((p) => p.test(text)));

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
