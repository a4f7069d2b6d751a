import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isHostpulseError } from '@hostpulse/shared';
import { authorize } from '../auth.js';
import type { Asset, AssetName } from '../dashboard-assets.js';
import { setDashboardHeaders } from '../security-headers.js';
import type { RouteContext } from './context.js';

// GET / (SPEC §5.4, viewer) and the dashboard's static files under /dashboard/. The same page
// answers /alerts and /alerts/:id, the links notifications carry (public_url in collector.yaml).
//
// A browser cannot send a Bearer header when it navigates, so the page is a shell without data:
// its script asks for a token once, keeps it in sessionStorage (gone when the tab closes) and
// sends it as `Authorization: Bearer` on every call to the JSON API, whose role checks stay the
// only gate to data. No cookie is set, so no other site can make a browser act with the token
// (no CSRF), and the token never appears in a URL or a log.
//
// GET / itself demands a viewer token like the rest of the read API: a browser, which has none
// on navigation, gets 401 with the shell as its sign-in page; a script or curl asking for JSON
// gets the usual JSON 401 or 403. The files under /dashboard/ are code without data and open to
// all, as the sign-in page needs them before anyone has signed in.

const HTML = /\btext\/html\b/i;
const PAGE_PATHS = ['/', '/alerts', '/alerts/:id'];

export function registerDashboardRoutes(
  app: FastifyInstance,
  ctx: RouteContext,
  assets: ReadonlyMap<AssetName, Asset>,
): void {
  const page = assetOf(assets, 'index.html');
  // The server's own handler, set before the routes: every answer but the sign-in page is its.
  const handleError = app.errorHandler;

  const viewer = authorize(ctx.storage, 'viewer');
  const signInOr = (error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    if (!isHostpulseError(error, 'unauthorized') || !HTML.test(request.headers.accept ?? '')) {
      handleError(error, request, reply);
      return;
    }
    // The expected first answer to every browser, so not logged as a refusal.
    request.log.debug('dashboard sign-in page sent');
    reply.code(401).header('www-authenticate', 'Bearer realm="hostpulse"');
    void sendPage(reply, page);
  };
  for (const path of PAGE_PATHS) {
    const config = { summary: 'the web dashboard' };
    const options = { onRequest: viewer, errorHandler: signInOr, config };
    app.get(path, options, async (_request, reply) => sendPage(reply, page));
  }

  for (const asset of assets.values()) {
    if (asset === page) continue;
    app.get(`/dashboard/${asset.name}`, async (request, reply) => sendAsset(request, reply, asset));
  }
}

function sendPage(reply: FastifyReply, page: Asset): FastifyReply {
  setDashboardHeaders(reply);
  return reply.header('vary', 'accept').type(page.contentType).send(page.body);
}

/** Revalidated on every load (no-cache), so a new collector's code is never mixed with old. */
function sendAsset(request: FastifyRequest, reply: FastifyReply, asset: Asset): FastifyReply {
  setDashboardHeaders(reply);
  reply.header('cache-control', 'no-cache').header('etag', asset.etag);
  if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
  return reply.type(asset.contentType).send(asset.body);
}

function assetOf(assets: ReadonlyMap<AssetName, Asset>, name: AssetName): Asset {
  const asset = assets.get(name);
  if (!asset) throw new Error(`dashboard file ${name} was not loaded`);
  return asset;
}
