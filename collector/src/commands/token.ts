import { printError, printLine, printTable, type Logger } from '@hostpulse/shared';
import { auditEntry, cliActor } from '../audit.js';
import { generateToken, hashToken } from '../auth.js';
import type { CollectorConfig } from '../config.js';
import type { Role, TokenKind } from '../storage/storage.js';
import { withStorage } from './storage.js';

// `token create|list|revoke`. The secret is printed once, alone on stdout so that scripts can
// capture it; only its hash reaches the database, with an audit row naming the OS user.

export interface TokenCreateRequest {
  readonly name: string;
  readonly tokenKind: TokenKind;
  readonly role: Role | null;
}

export async function runTokenCreate(
  config: CollectorConfig,
  log: Logger,
  request: TokenCreateRequest,
): Promise<number> {
  const token = generateToken();
  const { name, tokenKind: kind, role } = request;
  const record = { name, kind, role, hash: hashToken(token) };
  const audit = auditEntry({
    actor: cliActor(),
    action: 'token.create',
    target: name,
    detail: { kind, role },
  });
  await withStorage(config, log, (storage) => storage.createToken(record, audit));

  const what = kind === 'agent' ? 'agent token' : `API token with role ${role}`;
  printError(`created ${what} ${JSON.stringify(name)}; it is shown only this once:`);
  printLine(token);
  return 0;
}

export async function runTokenList(config: CollectorConfig, log: Logger): Promise<number> {
  const tokens = await withStorage(config, log, (storage) => storage.listTokens());
  const rows = tokens.map((t) => [
    t.name,
    t.kind,
    t.role ?? '-',
    new Date(t.createdMs).toISOString(),
    t.revokedMs === null ? '-' : new Date(t.revokedMs).toISOString(),
  ]);
  printTable([['NAME', 'KIND', 'ROLE', 'CREATED', 'REVOKED'], ...rows]);
  return 0;
}

export async function runTokenRevoke(
  config: CollectorConfig,
  log: Logger,
  name: string,
): Promise<number> {
  const audit = auditEntry({ actor: cliActor(), action: 'token.revoke', target: name });
  const revoked = await withStorage(config, log, (storage) => storage.revokeToken(name, audit));
  if (!revoked) {
    printError(`no live token is named ${JSON.stringify(name)} (token list shows them)`);
    return 1;
  }
  // Running collectors on PostgreSQL keep accepting an agent token for up to a minute.
  const when = 'from now on (an agent token: within a minute on PostgreSQL)';
  printLine(`revoked token ${JSON.stringify(name)}; requests with it are refused ${when}`);
  return 0;
}
