import { userInfo } from 'node:os';
import type { FastifyRequest } from 'fastify';
import type { AuditEntry, Storage } from './storage/storage.js';

// The audit log: every operator action leaves a row saying who did what to which thing, when
// and from where (GET /api/v1/audit shows them to admins). Routes call recordAudit() after the
// change succeeded; token commands pass the entry to the storage, which writes it in the same
// transaction as the token.

/** The actions written today; routes added later extend this list. */
export type AuditAction =
  | 'token.create'
  | 'token.revoke'
  | 'alert.ack'
  | 'silence.create'
  | 'silence.delete';

export interface AuditInput {
  /** A token name (auditActor(request) gives it), or cliActor() for the command line. */
  readonly actor: string;
  readonly action: AuditAction;
  /** What was acted on: a token name, an alert id, a silence id. */
  readonly target: string;
  /** Anything an auditor needs besides the target: a comment, matchers, an end time. */
  readonly detail?: Readonly<Record<string, unknown>>;
  /** The client's IP address; null or absent for the command line. */
  readonly remoteAddress?: string | null;
}

export function auditEntry(input: AuditInput): AuditEntry {
  return {
    actor: input.actor,
    action: input.action,
    target: input.target,
    detail: input.detail ?? {},
    remoteAddress: input.remoteAddress ?? null,
  };
}

/** Adds one audit row; the storage stamps the time. Throws what the storage throws. */
export function recordAudit(storage: Storage, input: AuditInput): Promise<void> {
  return storage.recordAudit(auditEntry(input));
}

/**
 * Who sent an authenticated request, and from where: the token's name and the client address.
 * Only meaningful after authorize() ran on the route (every /api/v1 route has it).
 */
export function auditActor(request: FastifyRequest): { actor: string; remoteAddress: string } {
  return { actor: request.token?.name ?? 'unknown', remoteAddress: request.ip };
}

/** The command line's actor: `cli:` and the OS user who ran it. */
export function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    // A uid without a passwd entry (some containers): the uid still says who it was.
    return `cli:uid-${process.getuid?.() ?? 'unknown'}`;
  }
}
