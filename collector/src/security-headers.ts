import type { FastifyInstance, FastifyReply } from 'fastify';

// Headers that keep browsers from misusing what the collector answers (docs/api.md, "The
// dashboard"). Every answer: no MIME sniffing, and no caching, since nearly every answer
// carries data or a state of the moment; a route that may be cached (the dashboard's static
// code) sets its own Cache-Control first.

/**
 * The dashboard's policy: scripts, styles and images from the collector itself only, no inline
 * script or style, fetches only to the collector, no framing, no forms posted anywhere (the
 * sign-in form is handled by script). Injected markup could therefore run nothing and send
 * nothing away, which matters because the page holds a token in sessionStorage.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function addSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply) => {
    setCommonHeaders(reply);
  });
}

/**
 * The headers every answer carries; a route's own Cache-Control wins. Also written by hand on
 * the answers to requests Node's HTTP parser refused (clientErrorHandler in http-errors.ts).
 */
export const COMMON_HEADERS = { 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' };

/** For the answers Fastify sends before routing (frameworkErrors), which run no onSend hook. */
export function setCommonHeaders(reply: FastifyReply): void {
  for (const [name, value] of Object.entries(COMMON_HEADERS)) {
    if (!reply.hasHeader(name)) reply.header(name, value);
  }
}

/** For the dashboard's page and files; the caller sets Cache-Control. */
export function setDashboardHeaders(reply: FastifyReply): void {
  reply.header('content-security-policy', DASHBOARD_CSP);
  reply.header('x-frame-options', 'DENY');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('cross-origin-opener-policy', 'same-origin');
  reply.header('cross-origin-resource-policy', 'same-origin');
}
