import type { CollectorClient } from './collector-client.js';
import { errorReason } from './answer.js';
import { describeConnectError } from './connect-error.js';

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

export async function pingCollector(
  client: CollectorClient,
  now: () => number = Date.now,
): Promise<PingReport> {
  const url = client.safeBaseUrl;
  const started = now();
  try {
    const answer = await client.ping();
    const roundTripMs = now() - started;
    const base = { url, reachable: true, status: answer.status, roundTripMs };
    if (answer.status === 401 || answer.status === 403) {
      return { ...base, tokenAccepted: false, error: errorReason(answer) };
    }
    if (answer.status !== 200) return { ...base, error: errorReason(answer) };
    const { serverTimeMs, tokenKind } = readPing(answer.text);
    const midpointMs = started + roundTripMs / 2;
    const clockSkewMs = serverTimeMs === undefined ? undefined : Math.round(serverTimeMs - midpointMs);
    // The ping route takes any valid token; ingest takes only agent tokens.
    if (tokenKind !== undefined && tokenKind !== 'agent') {
      const kind = JSON.stringify(tokenKind);
      const error = `the token is valid but of kind ${kind}; ingest needs an agent token`;
      return { ...base, tokenAccepted: false, clockSkewMs, error };
    }
    return { ...base, tokenAccepted: true, clockSkewMs };
  } catch (err) {
    return { url, reachable: false, error: describeConnectError(err) };
  }
}

function readPing(text: string): { serverTimeMs?: number; tokenKind?: string } {
  try {
    const body = JSON.parse(text) as { serverTimeMs?: unknown; tokenKind?: unknown };
    return {
      ...(typeof body.serverTimeMs === 'number' ? { serverTimeMs: body.serverTimeMs } : {}),
      ...(typeof body.tokenKind === 'string' ? { tokenKind: body.tokenKind } : {}),
    };
  } catch {
    // A 200 without JSON: reachable and accepted, but no clock to compare with.
    return {};
  }
}
