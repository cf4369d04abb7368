import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createApiApp } from './app.js';
import {
  openStore,
  resetStore,
  seedStressed,
  type OpenedStore,
} from '../../test/helpers/api-fixtures.js';

/**
 * The copilot dashboard against the real API: every JSON API target's URL is requested from an app
 * over a populated store, and every field's jsonPath must resolve in the answer, as the
 * marcusolsson-json-datasource plugin would evaluate it.
 */

const NOW = new Date('2026-03-01T12:00:00.000Z');
const FROM = new Date(NOW.getTime() - 6 * 3_600_000);
const DASHBOARD = fileURLToPath(new URL('../../grafana/copilot/copilot.json', import.meta.url));
const JSON_DS = 'marcusolsson-json-datasource';

interface Field {
  readonly jsonPath: string;
  readonly name?: string;
  readonly type?: string;
}
interface Target {
  readonly refId?: string;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
  readonly urlPath?: string;
  readonly method?: string;
  readonly params?: readonly (readonly [string, string])[];
  readonly fields?: readonly Field[];
  readonly expr?: string;
}
interface Panel {
  readonly id: number;
  readonly title: string;
  readonly type: string;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
  readonly targets?: readonly Target[];
  readonly panels?: readonly Panel[];
  readonly fieldConfig?: {
    readonly defaults?: { readonly mappings?: readonly { options: Record<string, unknown> }[] };
  };
}

const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
  uid: string;
  panels: Panel[];
};
const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
const jsonTargets = panels.flatMap((panel) =>
  (panel.targets ?? [])
    .filter((t) => (t.datasource ?? panel.datasource)?.type === JSON_DS)
    .map((target) => ({ panel, target })),
);

/** Grafana's macros the dashboard uses, as Grafana would substitute them for the time range. */
function interpolate(text: string): string {
  const out = text
    .replaceAll('${__from:date:iso}', FROM.toISOString())
    .replaceAll('${__to:date:iso}', NOW.toISOString());
  if (/\$\{?\w/.test(out)) throw new Error(`unsubstituted variable in ${text}`);
  return out;
}

function urlOf(target: Target): string {
  const params = new URLSearchParams(
    (target.params ?? []).map(([k, v]): [string, string] => [interpolate(k), interpolate(v)]),
  ).toString();
  const path = interpolate(target.urlPath ?? '');
  return params === '' ? path : `${path}${path.includes('?') ? '&' : '?'}${params}`;
}

type Evaluated = { readonly values: unknown[] } | { readonly problem: string };

/**
 * The JSONPath forms the dashboard uses: `$.a.b`, `$.a[*].b` and `$[*].b`. A key must exist (null
 * is a value); a `[*]` must meet an array, non-empty unless `allowEmpty`.
 */
function evaluateJsonPath(path: string, doc: unknown, allowEmpty = false): Evaluated {
  if (!path.startsWith('$')) return { problem: `${path}: must start with $` };
  const tokens = path.slice(1).match(/\.[A-Za-z_][A-Za-z0-9_]*|\[\*\]/g) ?? [];
  if (tokens.join('') !== path.slice(1)) return { problem: `${path}: unsupported syntax` };
  let nodes: unknown[] = [doc];
  let at = '$';
  for (const token of tokens) {
    const next: unknown[] = [];
    for (const node of nodes) {
      if (token === '[*]') {
        if (!Array.isArray(node)) return { problem: `${at} is not an array` };
        next.push(...(node as unknown[]));
      } else {
        const key = token.slice(1);
        if (typeof node !== 'object' || node === null || Array.isArray(node)) {
          return { problem: `${at} is not an object` };
        }
        if (!Object.hasOwn(node, key)) return { problem: `${at}${token} is missing` };
        next.push((node as Record<string, unknown>)[key]);
      }
    }
    if (token === '[*]' && next.length === 0 && !allowEmpty) return { problem: `${at} is empty` };
    nodes = next;
    at += token;
  }
  return { values: nodes };
}

let opened: OpenedStore;
beforeAll(async () => {
  opened = await openStore();
}, 60_000);
afterAll(() => opened.close());

const app = () =>
  createApiApp({
    store: () => Promise.resolve(opened.store),
    api: { cors_origins: [], host: '127.0.0.1' },
    now: () => NOW,
    cacheMs: 0,
  });

describe('grafana/copilot/copilot.json', () => {
  it('keeps the reference dashboard’s uid and JSON API datasource', () => {
    expect(dashboard.uid).toBe('temporal-sre-copilot');
    expect(jsonTargets.length).toBeGreaterThanOrEqual(9);
    for (const { panel, target } of jsonTargets) {
      expect(target.datasource ?? panel.datasource).toEqual({ type: JSON_DS, uid: 'copilot' });
      expect(target.refId, panel.title).toBeDefined();
    }
  });

  it('has no Behaviour Profiles panels (Headway has no /profiles API)', () => {
    const paths = jsonTargets.map(({ target }) => target.urlPath ?? '');
    expect(paths.filter((p) => p.startsWith('/profiles'))).toEqual([]);
    expect(panels.some((p) => /profile/i.test(p.title))).toBe(false);
  });

  it('passes the dashboard time range to the timeline and colours unknown', () => {
    const timeline = jsonTargets.find(({ target }) => target.urlPath === '/status/timeline');
    expect(timeline?.target.params).toEqual([
      ['start', '${__from:date:iso}'],
      ['end', '${__to:date:iso}'],
    ]);
    for (const id of [2, 10]) {
      const mappings = panels.find((p) => p.id === id)?.fieldConfig?.defaults?.mappings ?? [];
      expect(
        mappings.some((m) => 'unknown' in m.options),
        `panel ${String(id)}`,
      ).toBe(true);
    }
  });

  describe('against a populated store', () => {
    beforeAll(async () => {
      await resetStore(opened.db);
      await seedStressed(opened.store, NOW);
    });

    it.each(jsonTargets.map(({ panel, target }) => [panel.title || '(advisor)', target] as const))(
      '%s: every field resolves',
      async (_title, target) => {
        const url = urlOf(target);
        const res = await app().request(url, { method: target.method ?? 'GET' });
        expect(res.status, url).toBe(200);
        const body: unknown = await res.json();
        const lengths = new Set<number>();
        for (const field of target.fields ?? []) {
          const result = evaluateJsonPath(field.jsonPath, body);
          expect('problem' in result ? result.problem : '', `${url} ${field.jsonPath}`).toBe('');
          if ('values' in result) {
            lengths.add(result.values.length);
            if (field.type === 'time') {
              for (const v of result.values)
                expect(Number.isNaN(Date.parse(String(v)))).toBe(false);
            }
          }
        }
        // The plugin refuses a frame whose fields differ in length.
        expect(lengths.size, url).toBeLessThanOrEqual(1);
      },
    );

    it('exports every metric the Prometheus panels query', async () => {
      const exprs = panels.flatMap((p) =>
        (p.targets ?? []).filter((t) => typeof t.expr === 'string').map((t) => t.expr!),
      );
      const names = [...new Set(exprs.flatMap((e) => e.match(/\bcopilot_\w+/g) ?? []))];
      expect(names).toContain('copilot_log_pattern_count');
      const text = await (await app().request('/metrics')).text();
      for (const name of names) {
        expect(text, name).toMatch(new RegExp(`^${name}\\{[^}]*pattern="reservoir discard"`, 'm'));
      }
    });
  });

  describe('against an empty store', () => {
    beforeAll(() => resetStore(opened.db));

    it.each(jsonTargets.map(({ panel, target }) => [panel.title || '(advisor)', target] as const))(
      '%s: answers 200 and every key still exists',
      async (_title, target) => {
        const res = await app().request(urlOf(target));
        expect(res.status).toBe(200);
        const body: unknown = await res.json();
        for (const field of target.fields ?? []) {
          const result = evaluateJsonPath(field.jsonPath, body, true);
          expect('problem' in result ? result.problem : '', field.jsonPath).toBe('');
        }
      },
    );
  });
});

describe('evaluateJsonPath', () => {
  const doc = { a: { b: null, c: [{ d: 1 }, { d: 2 }] }, e: [] };
  it('resolves the dashboard’s forms', () => {
    expect(evaluateJsonPath('$.a.b', doc)).toEqual({ values: [null] });
    expect(evaluateJsonPath('$.a.c[*].d', doc)).toEqual({ values: [1, 2] });
    expect(evaluateJsonPath('$[*].d', [{ d: 3 }])).toEqual({ values: [3] });
  });
  it('reports what does not resolve', () => {
    expect(evaluateJsonPath('$.a.x', doc)).toEqual({ problem: '$.a.x is missing' });
    expect(evaluateJsonPath('$.e[*].d', doc)).toEqual({ problem: '$.e is empty' });
    expect(evaluateJsonPath('$.e[*].d', doc, true)).toEqual({ values: [] });
    expect(evaluateJsonPath('$.a[*]', doc)).toEqual({ problem: '$.a is not an array' });
    expect(evaluateJsonPath('$..b', doc)).toEqual({ problem: '$..b: unsupported syntax' });
  });
});
