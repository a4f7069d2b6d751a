// The two tokens `npm start` keeps in its folder: agent.token, for the agent, and api.token, an
// admin API token for the dashboard and curl. Each has a fixed name in the collector's database,
// which keeps only a hash: a file that is lost, damaged or refused cannot be recovered, so the
// name is revoked and a new token made under it. Without the revoke, `token create` would find
// the old token still live under that name and refuse.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StartError } from './start-error.mjs';

// What `token create` prints: hp_ and 43 base64url characters.
const TOKEN_SHAPE = /^hp_[A-Za-z0-9_-]{43}$/;

export function savedTokens(home) {
  return {
    agent: {
      file: join(home, 'agent.token'),
      name: 'local-agent',
      kind: 'agent',
      create: ['--agent', 'local-agent'],
    },
    api: {
      file: join(home, 'api.token'),
      name: 'local-admin',
      kind: 'API',
      create: ['--api', 'local-admin', '--role', 'admin'],
    },
  };
}

/** The token in the file, or undefined when there is no file or it holds no token. */
export function readToken(token) {
  if (!existsSync(token.file)) return undefined;
  const text = readFileSync(token.file, 'utf8').trim();
  return TOKEN_SHAPE.test(text) ? text : undefined;
}

/**
 * A new token under the same name, written to the file. `collectorCli(args)` runs
 * hostpulse-collector with those arguments on npm start's configuration and returns what
 * spawnSync returns.
 */
export function renewToken(token, collectorCli) {
  const revoke = collectorCli(['token', 'revoke', token.name]);
  // Exit 1 with this line is the one refusal to expect: no live token has the name (revoked
  // by hand, or never made in a fresh database).
  if (revoke.status !== 0 && !(revoke.stderr ?? '').includes('no live token is named')) {
    throw cliFailure(`revoking the old ${token.kind} token ${JSON.stringify(token.name)}`, revoke);
  }
  const created = collectorCli(['token', 'create', ...token.create]);
  const secret = /hp_[A-Za-z0-9_-]+/.exec(created.stdout ?? '')?.[0];
  if (created.status !== 0 || secret === undefined) {
    throw cliFailure(`creating the ${token.kind} token ${JSON.stringify(token.name)}`, created);
  }
  // Removed first: writeFileSync applies the mode only to a file it creates.
  rmSync(token.file, { force: true });
  writeFileSync(token.file, `${secret}\n`, { mode: 0o600 });
}

/** Whether the running collector answers 401 to the saved token (revoked, or none it made). */
export async function isRefused(token, url) {
  const secret = readToken(token);
  if (secret === undefined) return true;
  const answer = await fetch(`${url}/api/v1/ping`, {
    headers: { authorization: `Bearer ${secret}` },
    signal: AbortSignal.timeout(10_000),
  });
  return answer.status === 401;
}

function cliFailure(what, result) {
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  return new StartError(`${what} failed (exit ${result.status}):\n${output}`);
}
