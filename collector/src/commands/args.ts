import { parseArgs } from 'node:util';
import { HostpulseError, quote } from '@hostpulse/shared';
import { DEFAULT_CONFIG_FILE } from '../config.js';
import type { Role, TokenKind } from '../storage/storage.js';

// The command line of hostpulse-collector (SPEC §5.1), parsed into one typed command.

export type Command =
  | { readonly kind: 'serve' | 'migrate' | 'check-config' | 'token-list' }
  | { readonly kind: 'simulate' | 'help' | 'version' }
  | {
      readonly kind: 'token-create';
      readonly name: string;
      readonly tokenKind: TokenKind;
      readonly role: Role | null;
    }
  | { readonly kind: 'token-revoke'; readonly name: string };

export interface Invocation {
  readonly command: Command;
  readonly configFile: string;
}

const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];

export const USAGE = `Usage: hostpulse-collector [command] [--config FILE]

Commands:
  serve (default)                       run the collector
  migrate                               apply database schema migrations
  token create --agent NAME             make a token for an agent (printed once)
  token create --api NAME --role ROLE   make an API token; ROLE is viewer, operator or admin
  token list                            list tokens (never their secret)
  token revoke NAME                     revoke a token at once
  simulate --url URL [--agents N]       a synthetic fleet over the ingest API (simulate --help)

Options:
  --config FILE     collector.yaml (default ${DEFAULT_CONFIG_FILE}, env HOSTPULSE_COLLECTOR_CONFIG)
  --check-config    validate the configuration, print it with secrets redacted
  --version         print the version
  --help            print this help`;

export function parseInvocation(argv: readonly string[], env: NodeJS.ProcessEnv): Invocation {
  const configFromEnv = env.HOSTPULSE_COLLECTOR_CONFIG || DEFAULT_CONFIG_FILE;
  // simulate has flags of its own (--agents, --url); it is recognised before the strict parse.
  if (argv[0] === 'simulate') return { command: { kind: 'simulate' }, configFile: configFromEnv };

  const { values, positionals } = parseStrict(argv);
  const configFile = values.config ?? configFromEnv;
  if (values.help) return { command: { kind: 'help' }, configFile };
  if (values.version) return { command: { kind: 'version' }, configFile };
  if (values['check-config']) return { command: { kind: 'check-config' }, configFile };
  return { command: checked(commandOf(positionals, values), values), configFile };
}

type Values = ReturnType<typeof parseStrict>['values'];

function parseStrict(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string' },
        agent: { type: 'string' },
        api: { type: 'string' },
        role: { type: 'string' },
        'check-config': { type: 'boolean' },
        version: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new HostpulseError('bad_request', (err as Error).message, {}, { cause: err });
  }
}

function commandOf(positionals: readonly string[], values: Values): Command {
  const [first, second, third, ...rest] = positionals;
  if (first === undefined || (first === 'serve' && second === undefined)) return { kind: 'serve' };
  if (first === 'migrate' && second === undefined) return { kind: 'migrate' };
  if (first === 'token' && second === 'list' && third === undefined) return { kind: 'token-list' };
  if (first === 'token' && second === 'revoke' && third !== undefined && rest.length === 0) {
    return { kind: 'token-revoke', name: third };
  }
  if (first === 'token' && second === 'create' && third === undefined) return tokenCreate(values);
  throw usage(`unknown command ${quote(positionals.join(' '))}`);
}

function checked(command: Command, values: Values): Command {
  const stray = (['agent', 'api', 'role'] as const).find((flag) => values[flag] !== undefined);
  if (command.kind !== 'token-create' && stray !== undefined) {
    throw usage(`--${stray} belongs to token create only`);
  }
  return command;
}

function tokenCreate(values: Values): Command {
  if ((values.agent === undefined) === (values.api === undefined)) {
    throw usage('token create needs exactly one of --agent NAME or --api NAME');
  }
  if (values.agent !== undefined) {
    if (values.role !== undefined) throw usage('--role is for --api tokens only');
    return { kind: 'token-create', name: checkName(values.agent), tokenKind: 'agent', role: null };
  }
  const role = values.role as Role | undefined;
  if (role === undefined || !ROLES.includes(role)) {
    throw usage(`--role: ${quote(values.role ?? '')} is not one of ${ROLES.join(', ')}`);
  }
  return { kind: 'token-create', name: checkName(values.api as string), tokenKind: 'api', role };
}

function checkName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$/.test(name)) {
    throw usage(`token name ${quote(name)} may hold letters, digits and . _ @ - (up to 100)`);
  }
  return name;
}

/** Bad usage is a bad_request: main prints it with a pointer to --help and exits 2. */
function usage(message: string): HostpulseError {
  return new HostpulseError('bad_request', message);
}
