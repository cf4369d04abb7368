import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * Static checks of every dashboard under grafana/ and of the provisioning files, so a dashboard
 * added later is held to the same rules: it loads, it does not collide with another uid, and every
 * query points at a datasource that the provisioning actually defines.
 */

const GRAFANA_DIR = fileURLToPath(new URL('../grafana', import.meta.url));
const PROVISIONING_DIR = join(GRAFANA_DIR, 'provisioning');

/** Variables Grafana defines itself; anything else a query uses must be a dashboard variable. */
const BUILTIN_VARIABLES = new Set([
  '__rate_interval',
  '__interval',
  '__interval_ms',
  '__range',
  '__range_s',
  '__range_ms',
  '__from',
  '__to',
  '__dashboard',
  '__org',
  '__user',
]);

/** Panel types that show static content and need no datasource. */
const STATIC_PANEL_TYPES = new Set(['row', 'text']);

type Json = Record<string, unknown>;

interface DatasourceRef {
  readonly type?: string;
  readonly uid?: string;
}

interface Target extends Json {
  readonly refId?: string;
  readonly expr?: unknown;
  readonly datasource?: unknown;
}

interface Panel extends Json {
  readonly id?: unknown;
  readonly type?: unknown;
  readonly title?: unknown;
  readonly datasource?: unknown;
  readonly targets?: Target[];
  readonly panels?: Panel[];
}

interface Variable extends Json {
  readonly name: string;
  readonly type: string;
  readonly query?: unknown;
  readonly datasource?: unknown;
}

interface Dashboard extends Json {
  readonly uid?: unknown;
  readonly title?: unknown;
  readonly panels?: Panel[];
  readonly templating?: { readonly list?: Variable[] };
}

interface ProvisionedDatasource {
  readonly name?: string;
  readonly uid?: string;
  readonly type?: string;
  readonly url?: string;
  readonly access?: string;
}

interface Provider {
  readonly name?: string;
  readonly type?: string;
  readonly options?: { readonly path?: string };
}

function jsonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return jsonFiles(path);
    return name.endsWith('.json') ? [path] : [];
  });
}

/** Row panels nest their children when collapsed; a dashboard's panels are both levels. */
function allPanels(panels: readonly Panel[] = []): Panel[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels)]);
}

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `$name`, `${name}`, `${name:format}` and `[[name]]` in a string. */
function variablesIn(text: string): string[] {
  const names: string[] = [];
  for (const m of text.matchAll(/\$\{(\w+)(?::[^}]*)?\}|\$(\w+)|\[\[(\w+)(?::[^\]]*)?\]\]/g)) {
    names.push((m[1] ?? m[2] ?? m[3])!);
  }
  return names;
}

function readYaml<T>(path: string): T {
  return parse(readFileSync(path, 'utf8')) as T;
}

const datasourcesYaml = readYaml<{ apiVersion?: number; datasources?: ProvisionedDatasource[] }>(
  join(PROVISIONING_DIR, 'datasources', 'headway.yml'),
);
const dashboardsYaml = readYaml<{ apiVersion?: number; providers?: Provider[] }>(
  join(PROVISIONING_DIR, 'dashboards', 'headway.yml'),
);
const provisionedUids = new Map(
  (datasourcesYaml.datasources ?? []).map((d) => [d.uid ?? '', d] as const),
);

const dashboardFiles = jsonFiles(GRAFANA_DIR).filter((f) => !f.startsWith(PROVISIONING_DIR));
const dashboards = dashboardFiles.map((file) => {
  const text = readFileSync(file, 'utf8');
  let dashboard: Dashboard = {};
  let error: string | undefined;
  try {
    dashboard = JSON.parse(text) as Dashboard;
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
  }
  return { file: relative(GRAFANA_DIR, file), dashboard, error };
});

function duplicates<T>(values: readonly T[]): T[] {
  return values.filter((v, i) => values.indexOf(v) !== i);
}

/** Every problem with one datasource reference, or none. */
function datasourceProblems(ref: unknown, variables: readonly Variable[], where: string): string[] {
  if (!isRecord(ref)) return [`${where}: datasource must be an object {type, uid}`];
  const { uid, type } = ref as DatasourceRef;
  if (typeof uid !== 'string' || uid.length === 0) return [`${where}: datasource has no uid`];
  const used = variablesIn(uid);
  if (used.length > 0) {
    return used.flatMap((name) =>
      variables.some((v) => v.name === name && v.type === 'datasource')
        ? []
        : [`${where}: datasource variable $${name} is not a datasource variable of the dashboard`],
    );
  }
  const provisioned = provisionedUids.get(uid);
  if (provisioned === undefined) return [`${where}: datasource uid ${uid} is not provisioned`];
  if (type !== undefined && type !== provisioned.type) {
    return [`${where}: datasource ${uid} has type ${type}, provisioned as ${provisioned.type}`];
  }
  return [];
}

/** The datasource type a reference resolves to: its own, or the type a variable selects. */
function datasourceType(ref: unknown, variables: readonly Variable[]): string | undefined {
  if (!isRecord(ref)) return undefined;
  const { uid, type } = ref as DatasourceRef;
  if (type !== undefined) return type;
  const name = typeof uid === 'string' ? variablesIn(uid)[0] : undefined;
  if (name !== undefined) {
    const query = variables.find((v) => v.name === name)?.query;
    return typeof query === 'string' ? query : undefined;
  }
  return uid === undefined ? undefined : provisionedUids.get(uid)?.type;
}

describe('Grafana provisioning', () => {
  it('provisions the Prometheus and copilot datasources under the uids the dashboards use', () => {
    expect(datasourcesYaml.apiVersion).toBe(1);
    expect(provisionedUids.get('prometheus')).toMatchObject({
      type: 'prometheus',
      url: 'http://127.0.0.1:9090',
    });
    expect(provisionedUids.get('copilot')).toMatchObject({
      type: 'marcusolsson-json-datasource',
      url: 'http://127.0.0.1:8081',
      access: 'proxy',
    });
    const uids = (datasourcesYaml.datasources ?? []).map((d) => d.uid);
    expect(new Set(uids).size).toBe(uids.length);
  });

  it('has a file provider for every folder that holds a dashboard, and each folder exists', () => {
    expect(dashboardsYaml.apiVersion).toBe(1);
    const providers = dashboardsYaml.providers ?? [];
    const names = providers.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    const folders = providers.map((p) => {
      expect(p.type).toBe('file');
      const path = p.options?.path ?? '';
      // Grafana expands the variable from its environment; README says to point it at grafana/.
      expect(path).toMatch(/^\$\{HEADWAY_GRAFANA_DIR\}\//);
      return path.replace('${HEADWAY_GRAFANA_DIR}/', '');
    });
    expect(folders).toEqual(expect.arrayContaining(['copilot', 'server', 'bench']));
    for (const folder of folders) {
      // copilot/ is written separately; a provider for a folder that does not exist yet only logs.
      if (folder !== 'copilot') expect(existsSync(join(GRAFANA_DIR, folder)), folder).toBe(true);
    }
    for (const { file } of dashboards) expect(folders, file).toContain(dirname(file));
  });
});

describe('Grafana dashboards', () => {
  it('finds the dashboards', () => {
    expect(dashboards.map((d) => d.file)).toEqual(
      expect.arrayContaining(['bench/bench.json', 'server/temporal-server.json']),
    );
  });

  it('gives every dashboard a unique uid and a title', () => {
    const uids = dashboards.map(({ file, dashboard: d }) => {
      expect(typeof d.uid === 'string' && d.uid.length > 0, `${file}: uid`).toBe(true);
      expect(typeof d.title === 'string' && d.title.length > 0, `${file}: title`).toBe(true);
      return d.uid;
    });
    const repeated = duplicates(uids);
    expect(
      dashboards.filter((d) => repeated.includes(d.dashboard.uid)).map((d) => d.file),
      'dashboards sharing a uid',
    ).toEqual([]);
  });

  describe.each(dashboards)('$file', ({ dashboard, error }) => {
    it('is valid JSON', () => {
      expect(error).toBeUndefined();
    });

    const variables = dashboard.templating?.list ?? [];
    const panels = allPanels(dashboard.panels);

    it('has panels with unique ids', () => {
      expect(panels.length).toBeGreaterThan(0);
      const ids = panels.map((p) => p.id).filter((id) => id !== undefined);
      expect(duplicates(ids), 'repeated panel ids').toEqual([]);
    });

    it('points every panel, target and query variable at a provisioned or variable datasource', () => {
      const problems = [
        ...panels.flatMap((p) => {
          const where = `panel "${String(p.title)}"`;
          const targets = p.targets ?? [];
          const needsDatasource =
            targets.length > 0 || !STATIC_PANEL_TYPES.has(typeof p.type === 'string' ? p.type : '');
          return [
            ...(needsDatasource ? datasourceProblems(p.datasource, variables, where) : []),
            ...targets.flatMap((t) =>
              t.datasource === undefined
                ? []
                : datasourceProblems(t.datasource, variables, `${where} target ${t.refId}`),
            ),
          ];
        }),
        ...variables
          .filter((v) => v.type === 'query')
          .flatMap((v) => datasourceProblems(v.datasource, variables, `variable $${v.name}`)),
        ...variables
          .filter((v) => v.type === 'datasource')
          .flatMap((v) =>
            [...provisionedUids.values()].some((d) => d.type === v.query)
              ? []
              : [`variable $${v.name}: no provisioned datasource of type ${String(v.query)}`],
          ),
      ];
      expect(problems).toEqual([]);
    });

    it('gives every Prometheus target a non-empty expr that uses only defined variables', () => {
      const defined = new Set([...variables.map((v) => v.name), ...BUILTIN_VARIABLES]);
      const problems = panels.flatMap((p) =>
        (p.targets ?? []).flatMap((t) => {
          const type = datasourceType(t.datasource ?? p.datasource, variables);
          if (type !== 'prometheus') return [];
          const where = `panel "${String(p.title)}" target ${t.refId}`;
          if (typeof t.expr !== 'string' || t.expr.trim().length === 0)
            return [`${where}: no expr`];
          return variablesIn(t.expr)
            .filter((name) => !defined.has(name))
            .map((name) => `${where}: undefined variable $${name}`);
        }),
      );
      expect(problems).toEqual([]);
    });
  });
});

describe('grafana/server/temporal-server.json', () => {
  const dashboard = JSON.parse(
    readFileSync(join(GRAFANA_DIR, 'server', 'temporal-server.json'), 'utf8'),
  ) as Dashboard;
  const exprs = allPanels(dashboard.panels).flatMap((p) =>
    (p.targets ?? []).map((t) => String(t.expr)),
  );

  it('scopes every query to the selected server or worker job', () => {
    // The local stack's Prometheus scrapes two Temporal servers, and the dev server's own system
    // worker exports SDK metrics too: an unscoped query would mix them.
    const unscoped = exprs.filter((e) => !/job="\$(job|worker_job)"/.test(e));
    expect(unscoped).toEqual([]);
  });

  it('defaults $job to the monitored server and $worker_job to the Headway worker', () => {
    const current = (name: string) =>
      (dashboard.templating?.list ?? []).find((v) => v.name === name)?.current;
    expect(current('job')).toMatchObject({ value: 'temporal-monitored' });
    expect(current('worker_job')).toMatchObject({ value: 'headway-worker' });
    expect(current('datasource')).toMatchObject({ value: 'prometheus' });
  });
});
