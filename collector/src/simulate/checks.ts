import type { WireEvent } from '@hostpulse/shared';
import type { SimHost } from './fleet.js';
import type { SimSample } from './host-model.js';
import { find, type Incident } from './incidents.js';
import { gaussian } from './noise.js';

// The service checks of a simulated host (SPEC §3.2 types): its web API, its database, its
// cache and SSH. A `check_failing` incident takes one down: check_up 0, latency at the timeout,
// the database or cache figures missing (a dead server reports none), and an event with the
// error text when the check goes down and when it comes back, as the agent sends them.

const TIMEOUT_SECONDS = 2;
const MIB = 2 ** 20;

interface CheckPlan {
  readonly labels: Readonly<Record<string, string>>;
  readonly typicalSeconds: number;
  readonly failure: string;
}

const CHECKS: readonly CheckPlan[] = [
  {
    labels: { check: 'api', type: 'http' },
    typicalSeconds: 0.012,
    failure: 'GET http://127.0.0.1:8000/healthz: 502 Bad Gateway (expected 200)',
  },
  {
    labels: { check: 'db', type: 'postgres' },
    typicalSeconds: 0.004,
    failure: 'connect ECONNREFUSED 127.0.0.1:5432',
  },
  {
    labels: { check: 'cache', type: 'redis' },
    typicalSeconds: 0.001,
    failure: 'no answer within 2s (PING)',
  },
  {
    labels: { check: 'ssh', type: 'tcp' },
    typicalSeconds: 0.002,
    failure: 'connect ETIMEDOUT 127.0.0.1:22',
  },
];
const DB = { check: 'db' } as const;
const CACHE = { check: 'cache' } as const;

export function checkSamples(
  host: SimHost,
  tMs: number,
  activity: number,
  incidents: Incident[],
  seed: number,
): SimSample[] {
  const second = Math.floor(tMs / 1000);
  const n = (key: number) => gaussian(seed, host.index, key, second);
  const samples: SimSample[] = [];
  const add = (metric: string, labels: SimSample['labels'], value: number) =>
    samples.push({ metric, labels, value });
  const down = CHECKS.map((_, i) => find(incidents, 'check_failing', i) !== undefined);

  CHECKS.forEach((check, i) => {
    const latency = check.typicalSeconds * (1 + activity * 3) * (1 + 0.15 * Math.abs(n(60 + i)));
    add('check_up', check.labels, down[i] ? 0 : 1);
    add('check_latency_seconds', check.labels, down[i] ? TIMEOUT_SECONDS : latency);
  });
  if (!down[1]) {
    add('postgres_connections_used_percent', DB, Math.min(100, 15 + activity * 55 + n(70) * 3));
    add('postgres_longest_transaction_seconds', DB, Math.max(0, 0.3 + activity * 4 + n(71)));
    add('postgres_cache_hit_percent', DB, Math.min(100, 99.2 + n(72) * 0.3));
  }
  if (!down[2]) {
    add('redis_memory_used_bytes', CACHE, Math.round((300 + activity * 200 + n(73) * 5) * MIB));
    add('redis_connected_clients', CACHE, Math.round(20 + activity * 120 + Math.abs(n(74)) * 4));
  }
  return samples;
}

/** `check_failed` when a check goes down, `check_recovered` when it comes back. */
export function checkEvents(tMs: number, now: Incident[], before: Incident[]): WireEvent[] {
  const events: WireEvent[] = [];
  CHECKS.forEach((check, i) => {
    const isDown = find(now, 'check_failing', i) !== undefined;
    const wasDown = find(before, 'check_failing', i) !== undefined;
    if (isDown === wasDown) return;
    const kind = isDown ? 'check_failed' : 'check_recovered';
    const message = isDown ? check.failure : `recovered from: ${check.failure}`;
    events.push({ timeMs: tMs, kind, labels: { ...check.labels }, message });
  });
  return events;
}
