import { describe, expect, it } from 'vitest';
import { AgentTokenCache, TOKEN_CACHE_MS } from './agent-token-cache.js';
import type { TokenRecord } from './storage.js';

const agent: TokenRecord = { name: 'fleet', kind: 'agent', role: null, createdMs: 0, revokedMs: null };
const admin: TokenRecord = { name: 'ops', kind: 'api', role: 'admin', createdMs: 0, revokedMs: null };

describe('AgentTokenCache', () => {
  it('keeps an agent token until TOKEN_CACHE_MS has passed', () => {
    let now = 1_000;
    const cache = new AgentTokenCache(() => now);
    cache.remember('h1', agent);
    now += TOKEN_CACHE_MS - 1;
    expect(cache.get('h1')).toBe(agent);
    now += 1;
    expect(cache.get('h1')).toBeUndefined();
  });

  it('never keeps API tokens or unknown tokens, so they are looked up every time', () => {
    const cache = new AgentTokenCache(() => 0);
    cache.remember('h1', admin);
    cache.remember('h2', undefined);
    expect(cache.get('h1')).toBeUndefined();
    expect(cache.get('h2')).toBeUndefined();
  });

  it('forgets a token by name at once when this process revokes it', () => {
    const cache = new AgentTokenCache(() => 0);
    cache.remember('h1', agent);
    cache.remember('h2', { ...agent, name: 'other' });
    cache.forget('fleet');
    expect(cache.get('h1')).toBeUndefined();
    expect(cache.get('h2')?.name).toBe('other');
  });
});
