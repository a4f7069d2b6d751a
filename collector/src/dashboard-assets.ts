import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// The web dashboard's files: plain HTML, CSS and browser JavaScript in collector/dashboard/,
// shipped as written (no build step, nothing fetched from elsewhere at run time). They sit
// beside src/ and dist/ rather than inside them because tsc copies only what it compiles; this
// module is one folder below src/ and dist/ alike, so one relative path finds them from both.
// Only the files listed here are served: a request cannot name any other path on the disk.

/** collector/dashboard/, from collector/src/ (tests) or collector/dist/ (the program). */
export const DASHBOARD_DIR = fileURLToPath(new URL('../dashboard/', import.meta.url));

const ASSET_FILES = [
  ['index.html', 'text/html; charset=utf-8'],
  ['style.css', 'text/css; charset=utf-8'],
  ['icon.svg', 'image/svg+xml'],
  ['app.js', 'text/javascript; charset=utf-8'],
  ['api.js', 'text/javascript; charset=utf-8'],
  ['dom.js', 'text/javascript; charset=utf-8'],
  ['format.js', 'text/javascript; charset=utf-8'],
  ['sign-in.js', 'text/javascript; charset=utf-8'],
  ['fleet.js', 'text/javascript; charset=utf-8'],
  ['alerts.js', 'text/javascript; charset=utf-8'],
  ['alert-view.js', 'text/javascript; charset=utf-8'],
  ['host-view.js', 'text/javascript; charset=utf-8'],
  ['chart.js', 'text/javascript; charset=utf-8'],
  ['legend.js', 'text/javascript; charset=utf-8'],
] as const;

export type AssetName = (typeof ASSET_FILES)[number][0];

export interface Asset {
  readonly name: AssetName;
  readonly contentType: string;
  readonly body: Buffer;
  /** A strong ETag from the content, so a browser revalidates cheaply after an upgrade. */
  readonly etag: string;
}

/**
 * Reads every file once, at start: a collector whose package lost its dashboard folder
 * refuses to start instead of answering 500 to the first browser.
 */
export function loadDashboardAssets(dir: string = DASHBOARD_DIR): ReadonlyMap<AssetName, Asset> {
  const assets = new Map<AssetName, Asset>();
  for (const [name, contentType] of ASSET_FILES) {
    const path = `${dir}${dir.endsWith('/') ? '' : '/'}${name}`;
    let body: Buffer;
    try {
      body = readFileSync(path);
    } catch (err) {
      const message = `cannot read the dashboard file ${path}; the collector package is incomplete`;
      throw new Error(message, { cause: err });
    }
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    assets.set(name, { name, contentType, body, etag });
  }
  return assets;
}
