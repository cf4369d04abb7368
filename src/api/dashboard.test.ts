import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createApiApp } from './app.js';
import { DASHBOARD_CSP, dashboardAssets } from './dashboard/assets.js';
import {
  assessmentInput,
  openStore,
  resetStore,
  seedStressed,
  type OpenedStore,
} from '../../test/helpers/api-fixtures.js';

/** The web dashboard as served: the page, its assets, their headers, and what they may contain. */

const NOW = new Date('2026-03-01T12:00:00.000Z');
const TOKEN = 'dashboard-token-0123456789abcdef';

let shared: OpenedStore;
beforeAll(async () => {
  shared = await openStore();
  await seedStressed(shared.store, NOW);
}, 60_000);
afterAll(() => shared.close());

function app(token?: string) {
  return createApiApp({
    store: () => Promise.resolve(shared.store),
    api: { cors_origins: [], host: '127.0.0.1', token },
    now: () => NOW,
    cacheMs: 0,
  });
}

const ASSET_PATHS = [...dashboardAssets().keys()];

async function page(): Promise<string> {
  const res = await app().request('/');
  expect(res.status).toBe(200);
  return res.text();
}

/** Every `src` and `href` of the page, as written. */
function references(html: string): string[] {
  return [...html.matchAll(/\b(?:src|href)\s*=\s*"([^"]*)"/gi)].map((m) => m[1]!);
}

describe('GET /', () => {
  it('serves the page with a strict CSP, no caching and no sniffing', async () => {
    const res = await app().request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await res.text();
    expect(html).toMatch(/<title>Headway<\/title>/);
    expect(html).toContain('id="badge"');
  });

  it('has a CSP that allows only same-origin script, style and connections', () => {
    const directives = new Map(
      DASHBOARD_CSP.split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name!, values];
      }),
    );
    expect(directives.get('default-src')).toEqual(["'self'"]);
    for (const name of ['script-src', 'style-src', 'connect-src']) {
      expect(directives.get(name), name).toEqual(["'self'"]);
    }
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(DASHBOARD_CSP).not.toMatch(/unsafe-inline|unsafe-eval|\*|https?:|data:/);
  });

  it('references only same-origin assets, every one of which is served', async () => {
    const refs = references(await page());
    expect(refs.length).toBeGreaterThanOrEqual(3);
    for (const ref of refs) {
      // Relative (no scheme, no `//host`): the browser resolves it against the API's own origin.
      expect(ref, ref).not.toMatch(/^[a-z][a-z0-9+.-]*:|^\/\//i);
      const path = new URL(ref, 'http://copilot.test/').pathname;
      expect(ASSET_PATHS, ref).toContain(path);
      const res = await app().request(path);
      expect(res.status, ref).toBe(200);
      expect(res.headers.get('content-security-policy'), ref).toBe(DASHBOARD_CSP);
    }
  });

  it('serves each asset with its content type', async () => {
    const types: Record<string, RegExp> = {
      '/dashboard/dashboard.js': /^text\/javascript/,
      '/dashboard/dashboard.css': /^text\/css/,
      '/dashboard/favicon.svg': /^image\/svg\+xml/,
    };
    for (const [path, type] of Object.entries(types)) {
      const res = await app().request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toMatch(type);
    }
    expect((await app().request('/dashboard/nope.js')).status).toBe(404);
  });

  it('has no inline script, style or event handler, so the CSP needs no exception', async () => {
    const html = await page();
    for (const tag of html.match(/<script\b[^>]*>/gi) ?? []) expect(tag).toMatch(/\bsrc="/);
    expect(html).not.toMatch(/<script\b[^>]*>(?!<\/script>)/i);
    expect(html).not.toMatch(/<style\b/i);
    expect(html).not.toMatch(/\sstyle\s*=/i);
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
  });

  it('never parses data as HTML and loads nothing from elsewhere', async () => {
    const js = await (await app().request('/dashboard/dashboard.js')).text();
    expect(js).not.toMatch(
      /innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/,
    );
    expect(js).toContain('textContent');
    // The SVG namespace is an identifier, not a fetch.
    const urls = (js.match(/https?:\/\/[^\s'"`)]+/g) ?? []).filter(
      (u) => u !== 'http://www.w3.org/2000/svg',
    );
    expect(urls).toEqual([]);
    const css = await (await app().request('/dashboard/dashboard.css')).text();
    expect(css).not.toMatch(/@import|url\(/i);
  });

  it('keeps the token out of the query string: it is read from the fragment and sent as a header', async () => {
    const js = await (await app().request('/dashboard/dashboard.js')).text();
    expect(js).toContain('location.hash');
    expect(js).toContain('Authorization');
    expect(js).toContain('sessionStorage');
    expect(js).not.toMatch(/[?&]token=/);
  });

  it('answers HEAD, and 405 for other methods', async () => {
    const head = await app().request('/', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const post = await app().request('/', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });
});

describe('the dashboard with a bearer token', () => {
  it('serves the page and its assets without the token, and holds no secret', async () => {
    const a = app(TOKEN);
    for (const path of ASSET_PATHS) {
      const res = await a.request(path);
      expect(res.status, path).toBe(200);
      expect(await res.text(), path).not.toContain(TOKEN);
    }
    expect((await a.request('/', { method: 'HEAD' })).status).toBe(200);
  });

  it.each(['/status', '/status/summary', '/status/issues', '/status/services', '/status/history'])(
    'still requires the token on %s',
    async (path) => {
      const a = app(TOKEN);
      expect((await a.request(path)).status).toBe(401);
      expect((await a.request(`${path}?token=${TOKEN}`)).status).toBe(401);
      const ok = await a.request(path, { headers: { Authorization: `Bearer ${TOKEN}` } });
      expect(ok.status).toBe(200);
    },
  );

  it('does not serve unknown paths under /dashboard/ without the token', async () => {
    expect((await app(TOKEN).request('/dashboard/other.js')).status).toBe(401);
  });
});

describe('fields the dashboard reads', () => {
  it('/status carries the observation cadence, so the page refreshes at that pace', async () => {
    const body = (await (await app().request('/status')).json()) as Record<string, unknown>;
    expect(body.cadence_s).toBe(30);
  });

  it('/status/summary carries the latest assessment’s explanation, null when it has none', async () => {
    const none = (await (await app().request('/status/summary')).json()) as Record<string, unknown>;
    expect(none.explanation).toBeNull();

    const explanation = {
      contributing_factors: ['Persistence p99 640 ms'],
      watch_next: ['history.backlog_age_sec'],
      citations: [{ file: 'docs/runbooks/persistence.md', heading: 'Slow persistence' }],
      services: [{ name: 'history', status: 'stressed', story: 'Waiting on persistence.' }],
      explainer: 'minimal',
    };
    try {
      await shared.store.saveAssessment(
        assessmentInput(new Date(NOW.getTime() - 1000), { explanation }),
      );
      const body = (await (await app().request('/status/summary')).json()) as Record<
        string,
        unknown
      >;
      expect(body.explanation).toEqual(explanation);
    } finally {
      await resetStore(shared.db);
      await seedStressed(shared.store, NOW);
    }
  });
});
