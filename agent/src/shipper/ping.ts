import type { CollectorClient } from './collector-client.js';
import { errorReason } from './answer.js';

// The collector's reachability for --once: GET /api/v1/ping with the agent's token, which the
// collector answers 200 {"serverTimeMs","tokenKind"} or 401/403.

export interface PingReport {
  readonly url: string;
  readonly reachable: boolean;
  readonly status?: number;
  readonly tokenAccepted?: boolean;
  readonly roundTripMs?: number;
  /** The collector's clock minus ours: positive when this host's clock is behind. */
  readonly clockSkewMs?: number;
  readonly error?: string;
}

export async function pingCollector(client: CollectorClient, now: () => number = Date.now): Promise<PingReport> {
  const url = client.safeBaseUrl;
  const started = now();
  try {
    const answer = await client.ping();
    const roundTripMs = now() - started;
    const base = { url, reachable: true, status: answer.status, roundTripMs };
    if (answer.status === 401 || answer.status === 403) return { ...base, tokenAccepted: false, error: errorReason(answer) };
    if (answer.status !== 200) return { ...base, error: errorReason(answer) };
    const serverTimeMs = readServerTime(answer.text);
    const clockSkewMs = serverTimeMs === undefined ? undefined : Math.round(serverTimeMs - (started + roundTripMs / 2));
    return { ...base, tokenAccepted: true, clockSkewMs };
  } catch (err) {
    const code = (err as { code?: string }).code;
    return { url, reachable: false, error: code ? `${code}: ${(err as Error).message}` : (err as Error).message };
  }
}

function readServerTime(text: string): number | undefined {
  try {
    const value = (JSON.parse(text) as { serverTimeMs?: unknown }).serverTimeMs;
    return typeof value === 'number' ? value : undefined;
  } catch {
    // A 200 without JSON: reachable and accepted, but no clock to compare with.
    return undefined;
  }
}
