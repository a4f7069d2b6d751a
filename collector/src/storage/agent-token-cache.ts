import type { TokenRecord } from './storage.js';

// Agent tokens looked up in the last minute, so ingest does not ask PostgreSQL for the token on
// every batch (that lookup was a second round trip per batch, as costly as storing it). Only
// agent tokens are kept: they can do nothing but send data, while API tokens act on alerts and
// tokens and are looked up every time. The price is that a revoked agent token keeps being
// accepted for up to TOKEN_CACHE_MS by a collector that saw it (docs/operations.md says so);
// a revocation through this process's own storage takes effect at once. Unknown tokens are not
// kept, so a token created a moment ago by `token create` works on its first request.

export const TOKEN_CACHE_MS = 60_000;
const MAX_ENTRIES = 100_000;

interface Entry {
  readonly token: TokenRecord;
  readonly expiresMs: number;
}

export class AgentTokenCache {
  private readonly byHash = new Map<string, Entry>();

  constructor(private readonly now: () => number) {}

  get(hash: string): TokenRecord | undefined {
    const entry = this.byHash.get(hash);
    if (!entry) return undefined;
    if (entry.expiresMs > this.now()) return entry.token;
    this.byHash.delete(hash);
    return undefined;
  }

  remember(hash: string, token: TokenRecord | undefined): void {
    if (token?.kind !== 'agent') return;
    // Oldest first in a Map's order; a fleet larger than this only loses some hits.
    if (this.byHash.size >= MAX_ENTRIES) this.byHash.delete(this.byHash.keys().next().value as string);
    this.byHash.set(hash, { token, expiresMs: this.now() + TOKEN_CACHE_MS });
  }

  forget(name: string): void {
    for (const [hash, entry] of this.byHash) if (entry.token.name === name) this.byHash.delete(hash);
  }
}
