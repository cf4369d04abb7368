import { readFileSync } from 'node:fs';

/**
 * The web dashboard: one HTML page, its stylesheet, script and icon, served by the API as they are
 * (no build step). The page fetches its data from the JSON routes, so these files hold none.
 */

export interface DashboardAsset {
  readonly body: string;
  readonly type: string;
}

/**
 * Only same-origin files may run or style the page, and it may only talk to its own API: data
 * rendered from the API (log lines, LLM prose) can never become script or reach another host.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** URL path → file next to this module. */
const FILES: readonly (readonly [path: string, file: string, type: string])[] = [
  ['/', 'index.html', 'text/html; charset=utf-8'],
  ['/dashboard/dashboard.css', 'dashboard.css', 'text/css; charset=utf-8'],
  ['/dashboard/dashboard.js', 'dashboard.js', 'text/javascript; charset=utf-8'],
  ['/dashboard/favicon.svg', 'favicon.svg', 'image/svg+xml'],
];

let loaded: ReadonlyMap<string, DashboardAsset> | undefined;

/** The assets by URL path, read from disk once per process. */
export function dashboardAssets(): ReadonlyMap<string, DashboardAsset> {
  loaded ??= new Map(
    FILES.map(([path, file, type]) => [
      path,
      { body: readFileSync(new URL(file, import.meta.url), 'utf8'), type },
    ]),
  );
  return loaded;
}
