import { pino } from 'pino';
import { afterAll, beforeAll, expect } from 'vitest';

import { createApiApp, type ApiDeps } from '../../src/api/app.js';
import type { AssessmentStore } from '../../src/store/repository.js';

import { openStore, resetStore, seedStressed, type OpenedStore } from './api-fixtures.js';

export const NOW = new Date('2026-03-01T12:00:00.000Z');
export const ago = (s: number, from: Date = NOW): Date => new Date(from.getTime() - s * 1000);
export const TOKEN = 'test-token-0123456789abcdef';

export type Json = Record<string, unknown>;
export type Nested = Record<string, Record<string, unknown>>;

export interface Harness {
  readonly app: ReturnType<typeof createApiApp>;
  readonly store: AssessmentStore;
  readonly logs: string[];
  /** Moves the API's clock. */
  setNow(d: Date): void;
  /** From now on the API reads a closed store, whose every query fails. */
  storeDown(): void;
  get(path: string, init?: RequestInit): Promise<Response>;
  json<T = Record<string, unknown>>(path: string, init?: RequestInit): Promise<T>;
}

export interface HarnessOptions {
  readonly seed?: boolean;
  readonly api?: Partial<ApiDeps['api']>;
  readonly cacheMs?: number;
  readonly retentionDays?: number;
  readonly clusters?: ApiDeps['clusters'];
}

/**
 * The API app over a test store, for one test file. Opening PGlite takes seconds; the file's tests
 * share one store, emptied before each, and one closed store that stands for a store that went down.
 */
export function useApiHarness(): (options?: HarnessOptions) => Promise<Harness> {
  let shared: OpenedStore;
  let closed: OpenedStore;
  beforeAll(async () => {
    [shared, closed] = await Promise.all([openStore(), openStore()]);
    await closed.close();
  }, 60_000);
  afterAll(() => shared.close());

  return async (options = {}) => {
    await resetStore(shared.db);
    if (options.seed !== false) await seedStressed(shared.store, NOW);
    let now = NOW;
    let down = false;
    const logs: string[] = [];
    const app = createApiApp({
      store: () => Promise.resolve(down ? closed.store : shared.store),
      api: { cors_origins: [], host: '127.0.0.1', ...options.api },
      now: () => now,
      logger: pino({ level: 'debug' }, { write: (line: string) => logs.push(line) }),
      version: '0.1.0-test',
      cacheMs: options.cacheMs ?? 0,
      ...(options.retentionDays === undefined ? {} : { retentionDays: options.retentionDays }),
      ...(options.clusters === undefined ? {} : { clusters: options.clusters }),
    });
    const get = (path: string, init?: RequestInit) => Promise.resolve(app.request(path, init));
    return {
      app,
      store: shared.store,
      logs,
      setNow: (d) => {
        now = d;
      },
      storeDown: () => {
        down = true;
      },
      get,
      json: async <T>(path: string, init?: RequestInit) => {
        const res = await get(path, init);
        expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
        return (await res.json()) as T;
      },
    };
  };
}

/** The API over a store that rejects until `comeBack()` is called (a store that went down). */
export function appOverStoreDown(store: AssessmentStore, cacheMs?: number) {
  let up = false;
  const app = createApiApp({
    store: () => (up ? Promise.resolve(store) : Promise.reject(new Error('down'))),
    api: { cors_origins: [], host: '127.0.0.1' },
    now: () => NOW,
    ...(cacheMs === undefined ? {} : { cacheMs }),
  });
  return {
    app,
    comeBack: () => {
      up = true;
    },
  };
}
