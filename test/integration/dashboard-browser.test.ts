import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startApiServer, type ApiServer } from '../../src/api/index.js';
import {
  assessmentInput,
  observation,
  openStore,
  stressedSignals,
  type OpenedStore,
} from '../helpers/api-fixtures.js';
import { freeStackPorts } from '../../src/stack/ports.js';
import { testBinaries } from '../helpers/binaries.js';
import { eventually, runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/**
 * The web dashboard in a real browser (headless Chromium): against the live local stack, and
 * against a seeded store behind a bearer token, where failures and hostile data can be staged.
 */

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let browser: Browser;

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
});

/** A page that records script errors and console errors (a CSP violation is one). */
async function openPage(): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
  });
  return { page, problems };
}

const text = async (page: Page, selector: string): Promise<string> =>
  ((await page.locator(selector).textContent()) ?? '').trim();

describe('the dashboard over the live local stack (headway up --detach)', () => {
  let dir: ReturnType<typeof makeTempDir> | undefined;
  let env: NodeJS.ProcessEnv | undefined;
  let apiUrl: string;

  const getJson = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${apiUrl}${path}`);
    expect(res.status, path).toBe(200);
    return (await res.json()) as T;
  };

  beforeAll(async () => {
    const binaries = await testBinaries();
    const stack = await freeStackPorts();
    apiUrl = stack.apiUrl;
    // Made here, not in the describe body, so a filtered run that skips the suite leaves none.
    dir = makeTempDir('headway-dashboard-');
    env = {
      ...process.env,
      HEADWAY_STATE_DIR: dir.path,
      HEADWAY_TEMPORAL_BIN: binaries.temporal,
      HEADWAY_PROMETHEUS_BIN: binaries.prometheus,
      HEADWAY_CADENCE_S: '2',
      HEADWAY_SCRAPE_INTERVAL: '1s',
      ...stack.env,
    };
    const up = await runCli(['up', '--detach'], env);
    expect(up.code, up.stderr).toBe(0);
    await eventually(
      'a known state from /status',
      async () => {
        const body = await getJson<{ health_state: string }>('/status');
        return body.health_state !== 'unknown' ? body : undefined;
      },
      60_000,
      500,
    );
  });

  afterAll(async () => {
    if (env !== undefined) await runCli(['down', '--volumes'], env);
    dir?.remove();
  });

  it('shows the API’s state, summary, signals and services, and saves a screenshot', async () => {
    const { page, problems } = await openPage();
    try {
      await page.goto(`${apiUrl}/`);
      expect(await page.title()).toMatch(/^Headway/);

      // The state can change between two reads: compare until page and API agree.
      await eventually(
        'the badge to show the API’s state',
        async () => {
          const badge = page.locator('#badge');
          const shown = await badge.getAttribute('data-state');
          const { health_state } = await getJson<{ health_state: string }>('/status');
          return shown === health_state &&
            (await text(page, '#badge-word')) === health_state &&
            (await badge.getAttribute('aria-label')) === `Health state: ${health_state}`
            ? true
            : undefined;
        },
        20_000,
        500,
      );
      await eventually(
        'the summary to be the API’s',
        async () => {
          const { summary } = await getJson<{ summary: string }>('/status/summary');
          return summary !== '' && (await text(page, '#summary')) === summary ? true : undefined;
        },
        20_000,
        500,
      );

      // A flat line has no height, which Playwright calls hidden: attached is what counts.
      const line = page.locator('svg.sparkline path.line').first();
      await line.waitFor({ state: 'attached', timeout: 20_000 });
      expect(await line.getAttribute('d')).toMatch(/^M[\d.]+ [\d.]+/);
      // A few cycles of history, so the screenshot shows lines rather than dots.
      await eventually(
        'a few points per sparkline',
        async () => ((await line.getAttribute('d'))?.split('L').length ?? 0) >= 5 || undefined,
        20_000,
        500,
      );

      for (const name of ['history', 'matching', 'frontend', 'persistence']) {
        await expect(page.locator(`.service-card[data-service="${name}"]`).count()).resolves.toBe(
          1,
        );
      }
      expect(await page.locator('#timeline svg rect').count()).toBeGreaterThan(1);
      expect(await page.locator('#banner').isHidden()).toBe(true);
      expect(await text(page, '#age')).toMatch(/^observed \d+ s ago$/);

      mkdirSync(ARTIFACTS, { recursive: true });
      const file = `${ARTIFACTS}dashboard.png`;
      await page.screenshot({ path: file, fullPage: true });
      const png = readFileSync(file);
      expect(png.length).toBeGreaterThan(10_000);
      expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);

      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });
});

describe('the dashboard behind a bearer token, over a staged store', () => {
  const TOKEN = 'dashboard-browser-token-0123456789';
  const HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
  let opened: OpenedStore;
  let server: ApiServer | undefined;
  let storeDown = false;
  let writer: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    opened = await openStore();
    const now = new Date();
    const ago = (s: number): Date => new Date(now.getTime() - s * 1000);
    await opened.store.saveAssessment(
      assessmentInput(ago(5), {
        explanation: {
          explainer: 'narrator',
          contributing_factors: [
            {
              factor: 'Persistence p99 is 640 ms',
              signal: 'primary_signals.persistence.latency_p99_ms',
              observed: 640,
              weight: 0.9,
            },
            { factor: HOSTILE, signal: null, observed: null, weight: 0.4 },
          ],
          watch_next: ['history.backlog_age_sec: rises while the store is slow'],
          citations: [{ file: 'docs/runbooks/persistence.md', heading: 'Slow persistence' }],
          services: [{ name: 'history', status: 'stressed', story: 'History waits on writes.' }],
          log_evidence: [
            { pattern: 'hostile', service: 'history', count: 3, quote: HOSTILE, issue: null },
          ],
        },
      }),
    );
    // Cadence 1 s, so the page refreshes every second; a row a second keeps the state fresh.
    const observe = (at: Date) =>
      opened.store.saveSnapshot(stressedSignals(at), at, {
        observation: observation({
          cadence_s: 1,
          log_patterns: [
            { pattern: 'hostile', service: 'history', count: 3, sample_message: HOSTILE },
          ],
        }),
      });
    for (let s = 600; s >= 0; s -= 20) await observe(ago(s));
    writer = setInterval(() => void observe(new Date()), 1000);
    server = await startApiServer(
      {
        store: () =>
          storeDown ? Promise.reject(new Error('store down')) : Promise.resolve(opened.store),
        api: { cors_origins: [], host: '127.0.0.1', token: TOKEN },
        cacheMs: 0,
      },
      { host: '127.0.0.1', port: 0 },
    );
  });

  afterAll(async () => {
    clearInterval(writer);
    await server?.close();
    await opened?.close();
  });

  it('takes the token from the fragment, sends it only as a header, and renders data as text', async () => {
    const { page, problems } = await openPage();
    const requests: { url: string; auth: string | undefined }[] = [];
    page.on('request', (req) => {
      requests.push({ url: req.url(), auth: req.headers().authorization });
    });
    try {
      await page.goto(`${server!.url}/#token=${TOKEN}`);
      await page.locator('#badge[data-state="stressed"]').waitFor({ timeout: 10_000 });
      await page.locator('#logs-body tr').first().waitFor();

      // The token left the address bar, stays in this tab, and never travels in a URL.
      expect(page.url()).toBe(`${server!.url}/`);
      expect(await page.evaluate('sessionStorage.getItem("headway.api-token")')).toBe(TOKEN);
      expect(requests.length).toBeGreaterThan(0);
      for (const r of requests) expect(r.url).not.toContain(TOKEN);
      const data = requests.filter((r) => new URL(r.url).pathname.startsWith('/status'));
      expect(data.length).toBeGreaterThanOrEqual(5);
      for (const r of data) expect(r.auth, r.url).toBe(`Bearer ${TOKEN}`);
      // Only this origin is ever asked for anything.
      for (const r of requests) expect(new URL(r.url).origin).toBe(server!.url);

      // Untrusted text stays text.
      expect(await text(page, '#logs-body .sample')).toBe(HOSTILE);
      expect(await page.locator('#factors li').nth(1).textContent()).toContain(HOSTILE);
      expect(await text(page, '#evidence .quote')).toBe(HOSTILE);
      expect(await text(page, '#factors li:first-child .detail')).toBe(
        'persistence.latency_p99_ms = 640 · weight 90 %',
      );
      expect(await page.locator('main img, main script').count()).toBe(0);
      expect(await page.evaluate('window.__pwned')).toBeUndefined();

      // The explanation's parts are shown where they belong.
      expect(await text(page, '#watch li')).toContain('history.backlog_age_sec');
      expect(await text(page, '#citations li')).toBe(
        'docs/runbooks/persistence.md — Slow persistence',
      );
      expect(await text(page, '.service-card[data-service="history"] .story')).toBe(
        'History waits on writes.',
      );
      expect(await text(page, '#actions')).toContain('confidence 71 %');
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('says what failed and keeps the last data while the store or the API is down', async () => {
    const { page } = await openPage();
    try {
      await page.goto(`${server!.url}/#token=${TOKEN}`);
      await page.locator('#badge[data-state="stressed"]').waitFor({ timeout: 10_000 });
      const summary = await text(page, '#summary');
      expect(summary).not.toBe('');

      storeDown = true;
      const banner = page.locator('#banner');
      await banner.waitFor({ state: 'visible', timeout: 10_000 });
      expect(await banner.textContent()).toContain('State store unavailable (503)');
      expect(await page.locator('#badge').getAttribute('data-state')).toBe('stressed');
      expect(await text(page, '#summary')).toBe(summary);

      storeDown = false;
      await banner.waitFor({ state: 'hidden', timeout: 10_000 });

      await server!.close();
      server = undefined;
      await page.locator('#banner:has-text("API unreachable")').waitFor({ timeout: 15_000 });
      expect(await text(page, '#summary')).toBe(summary);
    } finally {
      await page.close();
    }
  });

  it('asks for the token when none was given', async () => {
    const s = await startApiServer(
      {
        store: () => Promise.resolve(opened.store),
        api: { cors_origins: [], host: '127.0.0.1', token: TOKEN },
      },
      { host: '127.0.0.1', port: 0 },
    );
    const { page } = await openPage();
    try {
      await page.goto(`${s.url}/`);
      const banner = page.locator('#banner');
      await banner.waitFor({ state: 'visible', timeout: 10_000 });
      expect(await banner.textContent()).toContain('The API needs a token (401)');
      expect(await banner.textContent()).toContain('/#token=');
    } finally {
      await page.close();
      await s.close();
    }
  });
});
