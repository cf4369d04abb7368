import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import type { HealthState } from '../health/types.js';
import type { Snapshot } from '../store/repository.js';

import { createApiApp } from './app.js';
import {
  observation,
  openStore,
  resetStore,
  stressedSignals,
  type OpenedStore,
} from '../../test/helpers/api-fixtures.js';
import { HISTORY_MAX_POINTS, HISTORY_SERIES, historyBody, type HistoryBody } from './view.js';

/** `GET /status/history` and the pure `historyBody` behind it. */

const NOW = new Date('2026-03-01T12:00:00.000Z');
const at = (secondsAgo: number): Date => new Date(NOW.getTime() - secondsAgo * 1000);
const iso = (secondsAgo: number): string => at(secondsAgo).toISOString();
const THROUGHPUT = 'primary_signals.state_transitions.throughput_per_sec';
const PERSISTENCE = 'primary_signals.persistence.latency_p99_ms';

let shared: OpenedStore;
let closed: OpenedStore;
beforeAll(async () => {
  [shared, closed] = await Promise.all([openStore(), openStore()]);
  await closed.close();
}, 60_000);
afterAll(() => shared.close());
beforeEach(() => resetStore(shared.db));

function app(store: OpenedStore = shared) {
  return createApiApp({
    store: () => Promise.resolve(store.store),
    api: { cors_origins: [], host: '127.0.0.1' },
    now: () => NOW,
    cacheMs: 0,
  });
}

async function history(query = ''): Promise<HistoryBody> {
  const res = await app().request(`/status/history${query}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as HistoryBody;
}

/** A snapshot as the observe workflow writes it, with chosen throughput and persistence p99. */
function row(
  secondsAgo: number,
  state: HealthState,
  values: { throughput?: number | null; persistence?: number } = {},
  cadence_s = 30,
): Snapshot {
  const signals = stressedSignals(at(secondsAgo));
  return {
    id: `row-${String(secondsAgo)}`,
    timestamp: iso(secondsAgo),
    signals: {
      ...signals,
      primary_signals: {
        ...signals.primary_signals,
        state_transitions: { throughput_per_sec: values.throughput ?? null },
        persistence: { latency_p99_ms: values.persistence ?? 100 },
      },
    },
    observation: observation({ health_state: state, cadence_s }),
  };
}

function seriesOf(body: HistoryBody, field: string) {
  const series = body.series.find((s) => s.field === field);
  expect(series, field).toBeDefined();
  return series!;
}

/** Inserts `count` snapshots one `stepS` apart, ending at `lastSecondsAgo`, in one statement. */
async function insertMany(count: number, stepS: number, lastSecondsAgo: number, cadenceS: number) {
  const first = at(lastSecondsAgo + (count - 1) * stepS);
  await shared.db.query(
    'test: insert snapshots',
    `INSERT INTO metrics_snapshots (id, "timestamp", metrics, observation)
     SELECT gen_random_uuid(), $1::timestamptz + g * ($2 * interval '1 second'), $3, $4
     FROM generate_series(0, $5 - 1) AS g`,
    [
      first,
      stepS,
      JSON.stringify(stressedSignals(first)),
      JSON.stringify(observation({ cadence_s: cadenceS })),
      count,
    ],
  );
}

describe('GET /status/history', () => {
  it('returns the key signals and state changes of the last 60 minutes by default', async () => {
    for (const [ago, state, throughput] of [
      [4000, 'critical', 1],
      [300, 'happy', 10],
      [270, 'happy', 20],
      [240, 'stressed', 30],
      [210, 'stressed', 40],
    ] as const) {
      const r = row(ago, state, { throughput });
      await shared.store.saveSnapshot(r.signals, at(ago), { observation: r.observation });
    }
    const body = await history();
    expect(body).toMatchObject({ minutes: 60, start: iso(3600), end: NOW.toISOString() });
    expect(body.series.map((s) => s.field)).toEqual(HISTORY_SERIES.map((s) => s.field));
    for (const s of body.series) {
      expect(typeof s.label).toBe('string');
      expect(typeof s.unit).toBe('string');
    }
    // The row older than an hour is left out; the copilot stopped 210 s ago (limit 95 s).
    expect(seriesOf(body, THROUGHPUT).points).toEqual([
      [iso(300), 10],
      [iso(270), 20],
      [iso(240), 30],
      [iso(210), 40],
      [iso(210 - 95), null],
    ]);
    expect(body.states).toEqual([
      [iso(300), 'happy'],
      [iso(240), 'stressed'],
      [iso(115), 'unknown'],
    ]);
    expect(body.cadence_s).toBe(30);
  });

  it('honours minutes, up to a day', async () => {
    const r = row(7200, 'happy', { throughput: 5 });
    await shared.store.saveSnapshot(r.signals, at(7200), { observation: r.observation });
    expect(seriesOf(await history(), THROUGHPUT).points).toEqual([]);
    expect(await history()).toMatchObject({ states: [], cadence_s: null });
    const day = await history('?minutes=1440');
    expect(day).toMatchObject({ minutes: 1440, start: iso(86_400) });
    expect(seriesOf(day, THROUGHPUT).points[0]).toEqual([iso(7200), 5]);
    expect((await history('?minutes=1')).minutes).toBe(1);
  });

  it.each(['0', '1441', '-5', '1.5', 'abc', '', '99999', ' 60'])(
    'answers 400 for minutes=%j',
    async (minutes) => {
      const res = await app().request(`/status/history?minutes=${encodeURIComponent(minutes)}`);
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: string; problems: { parameter: string }[] };
      expect(body.error).toBe('bad_request');
      expect(body.problems.map((p) => p.parameter)).toEqual(['minutes']);
    },
  );

  it('answers 503 when the store is down', async () => {
    const res = await app(closed).request('/status/history');
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: 'State store unavailable' });
  });

  it('downsamples a dense hour to at most HISTORY_MAX_POINTS points', async () => {
    // 1,800 rows: an hour at a 2 s cadence, as the local stack's tests run it.
    await insertMany(1800, 2, 1, 2);
    const body = await history();
    for (const s of body.series) {
      expect(s.points.length, s.field).toBeLessThanOrEqual(HISTORY_MAX_POINTS);
      expect(s.points.length, s.field).toBeGreaterThan(HISTORY_MAX_POINTS - 5);
    }
    expect(seriesOf(body, PERSISTENCE).points.at(-1)).toEqual([iso(1), 640]);
    expect(body.states).toEqual([[expect.any(String), 'stressed']]);
  });

  it('samples the window when it holds more rows than it is worth reading', async () => {
    // A day at 10 s per row is 8,640 rows; the cadence says so up front, so only samples are read.
    await insertMany(8640, 10, 1, 10);
    const body = await history('?minutes=1440');
    const points = seriesOf(body, PERSISTENCE).points;
    expect(points.length).toBeLessThanOrEqual(HISTORY_MAX_POINTS);
    expect(points.length).toBeGreaterThan(HISTORY_MAX_POINTS - 5);
    expect(Date.parse(points.at(-1)![0])).toBeGreaterThan(NOW.getTime() - 86_400_000 / 200);
    // Sampled rows are far apart, but that is no gap in the observations.
    expect(points.every(([, v]) => v !== null)).toBe(true);
    expect(body.states).toEqual([[expect.any(String), 'stressed']]);
  });

  it('samples the rest of the window when the rows are denser than their cadence says', async () => {
    // The rows claim a 30 s cadence but are 1 s apart: reading stops after a few thousand rows.
    await insertMany(3600, 1, 0, 30);
    const body = await history();
    const points = seriesOf(body, PERSISTENCE).points;
    expect(points.length).toBeLessThanOrEqual(HISTORY_MAX_POINTS);
    // The newest part of the hour is there, not just the oldest rows.
    expect(Date.parse(points.at(-1)![0])).toBeGreaterThan(NOW.getTime() - 60_000);
    expect(points.every(([, v]) => v !== null)).toBe(true);
  });
});

describe('historyBody', () => {
  const start = at(3600);

  it('is empty without rows', () => {
    const body = historyBody([], start, NOW);
    expect(body.states).toEqual([]);
    expect(body.cadence_s).toBeNull();
    for (const s of body.series) expect(s.points).toEqual([]);
  });

  it('keeps each row as a point while there are few, with nulls for absent signals', () => {
    const body = historyBody(
      [
        row(90, 'happy', { throughput: 3 }),
        row(60, 'happy', { throughput: null }),
        row(30, 'happy', { throughput: 4 }),
      ],
      start,
      NOW,
    );
    expect(seriesOf(body, THROUGHPUT).points).toEqual([
      [iso(90), 3],
      [iso(60), null],
      [iso(30), 4],
    ]);
    expect(body.states).toEqual([[iso(90), 'happy']]);
  });

  it('counts a sampled window’s spacing as no gap, but a longer silence as one', () => {
    const rows = [
      row(3000, 'happy', {}, 10),
      row(2700, 'happy', {}, 10),
      row(1000, 'happy', {}, 10),
    ];
    const body = historyBody(rows, start, NOW, { sampledEveryMs: 300_000 });
    expect(body.states).toEqual([
      [iso(3000), 'happy'],
      [iso(2700 - 35), 'unknown'],
      [iso(1000), 'happy'],
      [iso(1000 - 35), 'unknown'],
    ]);
  });

  it('marks a gap longer than the freshness limit as unknown, scaled by the rows’ cadence', () => {
    // Cadence 10 s: the limit is 35 s. 50 s apart is a gap; 30 s apart is not.
    const body = historyBody(
      [row(200, 'happy', {}, 10), row(150, 'happy', {}, 10), row(120, 'happy', {}, 10)],
      start,
      NOW,
    );
    expect(body.states).toEqual([
      [iso(200), 'happy'],
      [iso(165), 'unknown'],
      [iso(150), 'happy'],
      [iso(85), 'unknown'],
    ]);
    expect(seriesOf(body, PERSISTENCE).points.map(([, v]) => v)).toEqual([
      100,
      null,
      100,
      100,
      null,
    ]);
  });

  it('treats a row without an observation as unknown', () => {
    const body = historyBody([{ ...row(20, 'happy'), observation: null }], start, NOW);
    expect(body.states).toEqual([[iso(20), 'unknown']]);
  });

  it('combines a bucket by the worst state, the mean of rates and the max of latencies', () => {
    // 4 points over an hour: buckets of 15 min. Three rows in the newest one.
    const rows = [
      row(800, 'happy', { throughput: 10, persistence: 100 }, 600),
      row(700, 'critical', { throughput: 20, persistence: 900 }, 600),
      row(600, 'stressed', { throughput: 30, persistence: 200 }, 600),
      row(3000, 'happy', { throughput: 5, persistence: 50 }, 600),
      row(2000, 'happy', { throughput: 5, persistence: 50 }, 600),
    ].sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
    const body = historyBody(rows, start, NOW, { maxPoints: 4 });
    expect(seriesOf(body, THROUGHPUT).points).toEqual([
      [iso(3000), 5],
      [iso(2000), 5],
      [iso(600), 20],
    ]);
    expect(seriesOf(body, PERSISTENCE).points.at(-1)).toEqual([iso(600), 900]);
    expect(body.states).toEqual([
      [iso(3000), 'happy'],
      [iso(800), 'critical'],
    ]);
  });

  it('leaves out rows outside [start, end)', () => {
    const body = historyBody([row(4000, 'critical'), row(0, 'critical')], start, NOW);
    expect(body.states).toEqual([]);
  });
});
