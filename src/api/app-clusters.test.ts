import { describe, expect, it } from 'vitest';

import { makeSignals } from '../../test/helpers/make-signals.js';
import { observation } from '../../test/helpers/api-fixtures.js';
import { ago, NOW, useApiHarness, type Json } from '../../test/helpers/api-harness.js';

const harness = useApiHarness();

const TWO = [
  { name: 'local', isDefault: true, describe: { server_selector: 'job="temporal-local"' } },
  { name: 'west', isDefault: false, describe: { server_selector: 'job="temporal-west"' } },
] as const;

/** The default cluster (`local`) is seeded stressed; `west` gets a happy observation. */
async function twoClusters() {
  const h = await harness({ clusters: TWO });
  const west = h.store.forCluster('west');
  await west.saveSnapshot(makeSignals({}, { timestamp: ago(1).toISOString() }), ago(1), {
    observation: observation({ health_state: 'happy', fired_gates: [], reasons: [] }),
  });
  return h;
}

describe('API: one copilot, several clusters', () => {
  it('?cluster= picks the cluster; no parameter is the default, as before clusters', async () => {
    const h = await twoClusters();
    const plain = await h.json<Json>('/status');
    expect(plain.health_state).toBe('stressed');
    expect(await h.json<Json>('/status?cluster=local')).toEqual(plain);
    const west = await h.json<Json>('/status?cluster=west');
    expect(west.health_state).toBe('happy');
    expect((await h.json<Json>('/status/summary?cluster=west')).health_state).toBe('happy');
    // The default cluster's assessments and issues are its own.
    expect(await h.json('/status/issues?cluster=west')).toEqual({ issues: [] });
    expect(((await h.json<Json>('/status/issues')).issues as unknown[]).length).toBeGreaterThan(0);
    const end = NOW.toISOString();
    expect(await h.json(`/status/timeline?cluster=west&end=${end}`)).toEqual({ timeline: [] });
    expect(((await h.json<Json>(`/status/timeline?end=${end}`)).timeline as unknown[]).length).toBe(
      2,
    );
    const history = await h.json<{ states: [string, string][] }>('/status/history?cluster=west');
    expect(history.states.map(([, s]) => s)).toEqual(['happy']);
    expect(await (await h.get('/metrics?cluster=west')).text()).toMatch(
      /copilot_health_state\{state="happy"\} 1/,
    );
  });

  it('/clusters lists every cluster with its state, the default first', async () => {
    const h = await twoClusters();
    expect(await h.json('/clusters')).toEqual({
      default: 'local',
      clusters: [
        {
          name: 'local',
          default: true,
          health_state: 'stressed',
          observed_at: ago(2).toISOString(),
          server_selector: 'job="temporal-local"',
        },
        {
          name: 'west',
          default: false,
          health_state: 'happy',
          observed_at: ago(1).toISOString(),
          server_selector: 'job="temporal-west"',
        },
      ],
    });
  });

  it('an unknown cluster is 404 naming the known ones; a malformed name is 400', async () => {
    const h = await twoClusters();
    for (const path of [
      '/status?cluster=east',
      '/status/history?cluster=east',
      '/metrics?cluster=east',
    ]) {
      const res = await h.get(path);
      expect(res.status, path).toBe(404);
      expect(await res.json()).toEqual({
        error: 'unknown_cluster',
        message:
          'this copilot does not watch a cluster named east; it watches local, west (GET /clusters lists them)',
      });
    }
    const bad = await h.get('/status?cluster=a%20b');
    expect(bad.status).toBe(400);
    expect(
      ((await bad.json()) as { problems: { parameter: string }[] }).problems[0]?.parameter,
    ).toBe('cluster');
  });

  it('without configured clusters the API answers for the default one only', async () => {
    const h = await harness();
    expect(await h.json('/clusters')).toMatchObject({
      default: 'local',
      clusters: [{ name: 'local', default: true, health_state: 'stressed' }],
    });
    expect((await h.get('/status?cluster=local')).status).toBe(200);
    expect((await h.get('/status?cluster=west')).status).toBe(404);
  });
});
