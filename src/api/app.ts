import { Hono, type MiddlewareHandler } from 'hono';
import { pino, type Logger } from 'pino';

import type { ResolvedThresholds } from '../health/thresholds.js';
import {
  DEFAULT_CLUSTER,
  retentionCutoff,
  type Assessment,
  type AssessmentStore,
  type Snapshot,
} from '../store/repository.js';

import { DASHBOARD_CSP, dashboardAssets } from './dashboard/assets.js';
import { loggableError, STORE_UNAVAILABLE_BODY, StoreUnavailableError } from './errors.js';
import { METRICS_CONTENT_TYPE, renderMetrics } from './metrics.js';
import {
  badRequest,
  ClusterParamSchema,
  HistoryQuerySchema,
  IssuesQuerySchema,
  timelineQuerySchema,
  validQuery,
} from './query.js';
import { bearerAuth, corsMiddleware, corsPolicy, hostGuard } from './security.js';
import { readStoredSnapshot } from './stored-snapshot.js';
import {
  currentState,
  DEFAULT_CADENCE_S,
  HISTORY_MAX_POINTS,
  historyBody,
  serviceStatuses,
  statusBody,
  summaryText,
  type CurrentState,
} from './view.js';

export interface ApiSettings {
  /** When set, every route needs `Authorization: Bearer <token>`. */
  readonly token?: string | undefined;
  /** Origins allowed by CORS; empty: no CORS header at all. */
  readonly cors_origins: readonly string[];
  /** Host header names answered besides IP literals, loopback names and the bind address. */
  readonly allowed_hosts?: readonly string[];
  /** The address the server listens on: a Host header naming it is answered. */
  readonly host: string;
}

/** A monitored cluster the API answers for (`?cluster=NAME`; the default without it). */
export interface ApiCluster {
  readonly name: string;
  readonly isDefault: boolean;
  /** Thresholds of its per-service view; the defaults unless it has overrides. */
  readonly thresholds?: ResolvedThresholds | undefined;
  /** What `/clusters` shows besides the name and state: its sources, without credentials. */
  readonly describe?: Readonly<Record<string, unknown>>;
}

/** What handlers find on the request: the cluster `?cluster=` picked. */
export interface ApiEnv {
  readonly Variables: { cluster: ApiCluster };
}

export interface ApiDeps {
  /** The store; may reject while it is down (the API then answers 503 and keeps serving). */
  readonly store: () => Promise<AssessmentStore>;
  readonly api: ApiSettings;
  readonly logger?: Logger;
  readonly now?: () => Date;
  readonly version?: string;
  /** Thresholds of the per-service view; the defaults unless the copilot runs with overrides. */
  readonly thresholds?: ResolvedThresholds;
  /**
   * The clusters the copilot watches, the default first. Unset: one, the store's default
   * (`local`), with `thresholds`. Every `/status*` route and `/metrics` take `?cluster=`.
   */
  readonly clusters?: readonly ApiCluster[];
  /** The store's retention: `/healthz` says `prune: "overdue"` when older rows remain. */
  readonly retentionDays?: number;
  /**
   * How long the latest snapshot and assessment are reused across requests, in ms (default 1000).
   * They change once per observation cycle (30 s by default), and a dashboard fires several
   * panels at once; 0 reads the store on every request. Freshness is judged on every request.
   */
  readonly cacheMs?: number;
}

const GET = 'GET, HEAD';
/** Every route and its methods: a known path with another method answers 405, not 404. */
const ROUTES: Readonly<Record<string, string>> = {
  '/clusters': GET,
  '/status': GET,
  '/status/history': GET,
  '/status/services': GET,
  '/status/issues': GET,
  '/status/summary': GET,
  '/status/timeline': GET,
  '/actions': 'POST',
  '/healthz': GET,
  '/metrics': GET,
};

interface Latest {
  readonly snapshot: Snapshot | undefined;
  readonly assessment: Assessment | undefined;
}

/**
 * The copilot's JSON API (wire-compatible with the reference copilot's `/status*` routes), plus
 * `/healthz` and `/metrics`. Test it with `app.request(...)`; serve it with `startApiServer`.
 */
export function createApiApp(deps: ApiDeps): Hono<ApiEnv> {
  const now = deps.now ?? (() => new Date());
  const logger = (deps.logger ?? pino({ level: 'silent' })).child({ component: 'api' });
  const secrets = deps.api.token === undefined ? [] : [deps.api.token];
  const cacheMs = deps.cacheMs ?? 1000;
  const clusters: readonly ApiCluster[] = deps.clusters ?? [
    { name: DEFAULT_CLUSTER, isDefault: true, thresholds: deps.thresholds },
  ];
  const defaultCluster = clusters.find((c) => c.isDefault) ?? clusters[0]!;
  const byName = new Map(clusters.map((c) => [c.name, c]));

  /** The store, as the default cluster (no `cluster`) or `cluster` sees it. */
  async function withStore<T>(
    fn: (store: AssessmentStore) => Promise<T>,
    cluster?: ApiCluster,
  ): Promise<T> {
    try {
      const store = await deps.store();
      return await fn(
        cluster === undefined || cluster.isDefault ? store : store.forCluster(cluster.name),
      );
    } catch (err) {
      throw new StoreUnavailableError(err);
    }
  }

  /**
   * Pruning runs every scheduled interval (minutes), so a row a day older than the retention
   * window means it keeps failing (the workflow only retries): the oldest row's time, else none.
   */
  async function pruneOverdue(): Promise<string | undefined> {
    if (deps.retentionDays === undefined) return undefined;
    const oldest = await withStore((store) => store.oldestRowAt());
    if (oldest === undefined) return undefined;
    const limit = retentionCutoff(now(), deps.retentionDays + 1);
    return Date.parse(oldest) < limit.getTime() ? oldest : undefined;
  }

  // Concurrent requests share one read, and for `cacheMs` later ones reuse its result (per cluster).
  const cached = new Map<string, { at: number; value: Promise<Latest> }>();
  function latest(cluster: ApiCluster): Promise<Latest> {
    const t = performance.now();
    const hit = cached.get(cluster.name);
    if (hit !== undefined && t - hit.at < cacheMs) return hit.value;
    const value = withStore(async (store) => {
      const [snapshot, assessment] = await Promise.all([
        store.latestSnapshot(),
        store.latestAssessment(),
      ]);
      return { snapshot, assessment };
    }, cluster);
    const entry = { at: t, value };
    cached.set(cluster.name, entry);
    // A failed read is not reused: the next request tries the store again.
    value.catch(() => {
      if (cached.get(cluster.name) === entry) cached.delete(cluster.name);
    });
    return value;
  }

  async function current(
    cluster: ApiCluster,
  ): Promise<Latest & { current: CurrentState; now: Date }> {
    const l = await latest(cluster);
    const t = now();
    return { ...l, current: currentState(l.snapshot, t), now: t };
  }

  const app = new Hono<ApiEnv>();

  /** `?cluster=NAME` picks the cluster (400 when malformed, 404 when not watched). */
  const pickCluster: MiddlewareHandler<ApiEnv> = async (c, next) => {
    const raw = c.req.query('cluster');
    if (raw === undefined) {
      c.set('cluster', defaultCluster);
      return next();
    }
    const parsed = ClusterParamSchema.safeParse(raw);
    if (!parsed.success) {
      return badRequest(c, [
        { parameter: 'cluster', message: parsed.error.issues[0]?.message ?? '' },
      ]);
    }
    const cluster = byName.get(parsed.data);
    if (cluster === undefined) {
      return c.json(
        {
          error: 'unknown_cluster',
          message: `this copilot does not watch a cluster named ${parsed.data}; it watches ${clusters.map((k) => k.name).join(', ')} (GET /clusters lists them)`,
        },
        404,
      );
    }
    c.set('cluster', cluster);
    return next();
  };

  app.use(async (c, next) => {
    const t0 = performance.now();
    await next();
    c.header('Cache-Control', 'no-store');
    c.header('X-Content-Type-Options', 'nosniff');
    if (logger.isLevelEnabled('debug')) {
      logger.debug(
        {
          method: c.req.method,
          path: c.req.path,
          status: c.res.status,
          ms: Math.round((performance.now() - t0) * 10) / 10,
        },
        'request',
      );
    }
  });
  // Before CORS and auth: a request whose Host is not ours (DNS rebinding) gets nothing at all.
  app.use(hostGuard(deps.api.host, deps.api.allowed_hosts ?? []));
  app.use(corsMiddleware(corsPolicy(deps.api.host, deps.api.cors_origins)));
  // The page and its assets carry no data (it fetches every figure with the token), and a browser
  // cannot attach a bearer header to a navigation: they are served without authentication.
  const auth = bearerAuth(deps.api.token);
  const assets = dashboardAssets();
  app.use((c, next) => (assets.has(c.req.path) ? next() : auth(c, next)));

  for (const [path, asset] of assets) {
    app.get(path, (c) =>
      c.body(asset.body, 200, {
        'Content-Type': asset.type,
        'Content-Security-Policy': DASHBOARD_CSP,
        'Referrer-Policy': 'no-referrer',
        'X-Frame-Options': 'DENY',
      }),
    );
  }

  app.use('/status', pickCluster);
  app.use('/status/*', pickCluster);
  app.use('/metrics', pickCluster);

  /**
   * `{ default, clusters: [{ name, default, health_state, observed_at, …sources }] }`: every
   * cluster this copilot watches, with its current state (null while the store is down).
   */
  app.get('/clusters', async (c) => {
    const rows = await Promise.all(
      clusters.map(async (cluster) => {
        let state: CurrentState | undefined;
        try {
          state = (await current(cluster)).current;
        } catch (err) {
          if (!(err instanceof StoreUnavailableError)) throw err;
        }
        return {
          name: cluster.name,
          default: cluster === defaultCluster,
          health_state: state?.health_state ?? null,
          observed_at: state?.observed_at ?? null,
          ...cluster.describe,
        };
      }),
    );
    return c.json({ default: defaultCluster.name, clusters: rows });
  });

  /** Current state, signals, log patterns and (unless happy) the latest assessment's actions. */
  app.get('/status', async (c) => {
    const { current: state, assessment, now: t } = await current(c.get('cluster'));
    return c.json(statusBody(state, assessment, t));
  });

  /** `{ services: [{ name, status, key_signals, forward_progress, pressure, dominant_signal }] }`. */
  app.get('/status/services', async (c) => {
    const cluster = c.get('cluster');
    const { current: state } = await current(cluster);
    return c.json({ services: serviceStatuses(state, cluster.thresholds) });
  });

  /** Issues of the latest assessment, most severe first: `?severity=&limit=` (1–100, default 10). */
  app.get('/status/issues', validQuery(IssuesQuerySchema), async (c) => {
    const q = c.req.valid('query');
    const cluster = c.get('cluster');
    const { assessment } = await latest(cluster);
    if (assessment === undefined) return c.json({ issues: [] });
    const issues = await withStore(
      (store) =>
        store.issuesOf(assessment.id, {
          limit: q.limit,
          ...(q.severity === undefined ? {} : { severity: q.severity }),
        }),
      cluster,
    );
    return c.json({
      issues: issues.map((i) => ({
        id: i.id,
        severity: i.severity,
        title: i.title,
        description: i.description,
        likely_cause: i.likely_cause,
        suggested_actions: i.suggested_actions,
        related_signals: i.related_metrics,
        created_at: i.created_at,
        resolved_at: i.resolved_at,
        assessment_id: i.assessment_id,
      })),
    });
  });

  /**
   * `{ series: [{ field, label, unit, points: [[iso, value | null]] }], states: [[iso, state]] }`:
   * key signals and state changes over the last `?minutes=` (1–1440, default 60), from the stored
   * snapshots, at most HISTORY_MAX_POINTS points per series.
   */
  app.get('/status/history', validQuery(HistoryQuerySchema), async (c) => {
    const q = c.req.valid('query');
    const cluster = c.get('cluster');
    const { snapshot } = await latest(cluster);
    const end = now();
    const start = new Date(end.getTime() - q.minutes * 60_000);
    const cadenceS = snapshot?.observation?.cadence_s ?? DEFAULT_CADENCE_S;
    const read = await withStore((store) => readSnapshots(store, start, end, cadenceS), cluster);
    return c.json(historyBody(read.rows, start, end, { sampledEveryMs: read.sampledEveryMs }));
  });

  /** `{ summary, timestamp, health_state }`: the current state, and prose that agrees with it. */
  app.get('/status/summary', async (c) => {
    const { current: state, assessment, now: t } = await current(c.get('cluster'));
    return c.json({
      summary: summaryText(state, assessment),
      timestamp: state.observed_at ?? t.toISOString(),
      health_state: state.health_state,
      assessment_id: assessment?.id ?? null,
      assessment_timestamp: assessment?.timestamp ?? null,
      assessment_health_state: assessment?.health_state ?? null,
      // The explainer's extras (contributing factors, watch next, citations…) of that assessment.
      explanation: assessment?.explanation ?? null,
    });
  });

  /** Every assessment with start <= timestamp < end (default: the last 24 h), newest first. */
  app.get('/status/timeline', validQuery(timelineQuerySchema(now)), async (c) => {
    const q = c.req.valid('query');
    const rows = await withStore(
      (store) => store.assessmentsBetween(q.start, q.end),
      c.get('cluster'),
    );
    return c.json({
      timeline: rows.reverse().map((a) => ({
        id: a.id,
        timestamp: a.timestamp,
        trigger: a.trigger,
        health_state: a.health_state,
        primary_signals: readStoredSnapshot(a.metrics_snapshot).primary_signals,
        issue_count: a.issues.length,
      })),
    });
  });

  /** Placeholder kept from the reference: remediation is not automated. */
  app.post('/actions', (c) =>
    c.json(
      {
        error: 'Not implemented',
        message: 'Automated remediation is planned for a future release.',
      },
      501,
    ),
  );

  /** Liveness of the API and its store: 200 `{ ok: true }` or 503 `{ ok: false }`. */
  app.get('/healthz', async (c) => {
    try {
      await withStore((store) => store.ping());
      const overdue = await pruneOverdue();
      if (overdue !== undefined) {
        logger.warn(
          { oldest_row: overdue },
          'store prune overdue: rows older than retention remain',
        );
        return c.json({
          ok: true,
          store: 'ok',
          version: deps.version ?? null,
          prune: 'overdue',
          oldest_row: overdue,
        });
      }
      return c.json({ ok: true, store: 'ok', version: deps.version ?? null });
    } catch (err) {
      logger.warn(loggableError(err, secrets), 'store unavailable');
      return c.json({ ok: false, store: 'unavailable', version: deps.version ?? null }, 503);
    }
  });

  /** Prometheus exposition of the current state; answers 200 even when the store is down. */
  app.get('/metrics', async (c) => {
    let state: CurrentState | undefined;
    try {
      state = (await current(c.get('cluster'))).current;
    } catch (err) {
      if (!(err instanceof StoreUnavailableError)) throw err;
      logger.warn(loggableError(err, secrets), 'store unavailable');
    }
    return c.body(await renderMetrics(state), 200, { 'Content-Type': METRICS_CONTENT_TYPE });
  });

  app.notFound((c) => {
    const allow = assets.has(c.req.path) ? GET : ROUTES[c.req.path];
    if (allow !== undefined) {
      c.header('Allow', allow);
      return c.json(
        {
          error: 'method_not_allowed',
          message: `${c.req.method} is not allowed here; use ${allow}`,
        },
        405,
      );
    }
    return c.json({ error: 'not_found', message: `no route ${c.req.path}` }, 404);
  });

  app.onError((err, c) => {
    if (err instanceof StoreUnavailableError) {
      logger.warn(loggableError(err, secrets), 'store unavailable');
      return c.json(STORE_UNAVAILABLE_BODY, 503);
    }
    logger.error(loggableError(err, secrets), 'request failed');
    return c.json({ error: 'internal_error', message: 'the request failed; see the API log' }, 500);
  });

  return app;
}

/** Rows read in one query while the whole window is read. */
const HISTORY_PAGE = 1000;
/**
 * Up to this many rows the whole window is read (an hour at a 2 s cadence is 1,800; a day at the
 * default 30 s is 2,880). Beyond, one row per point is sampled: each row carries every signal, and
 * a day at a 1 s cadence would be 86,400 of them.
 */
const HISTORY_DENSE_ROWS = 3000;
/** Sampling queries in flight at once. */
const HISTORY_SAMPLE_CONCURRENCY = 8;

interface SnapshotRead {
  readonly rows: Snapshot[];
  /** Set when (part of) the window was sampled: the width of one sampled slice. */
  readonly sampledEveryMs?: number;
}

/** The snapshots of [start, end), oldest first: all of them, or a sample when there are many. */
async function readSnapshots(
  store: AssessmentStore,
  start: Date,
  end: Date,
  cadenceS: number,
): Promise<SnapshotRead> {
  const endMs = end.getTime();
  const rows: Snapshot[] = [];
  let cursor = start.getTime();
  if ((endMs - cursor) / 1000 / Math.max(cadenceS, 0.1) <= HISTORY_DENSE_ROWS) {
    while (rows.length < HISTORY_DENSE_ROWS) {
      const page = await store.snapshotsSince(new Date(cursor), HISTORY_PAGE);
      const inside = page.filter((s) => Date.parse(s.timestamp) < endMs);
      rows.push(...inside);
      if (page.length < HISTORY_PAGE || inside.length < page.length) return { rows };
      cursor = Date.parse(page.at(-1)!.timestamp) + 1;
    }
  }
  // Too many rows (the cadence is shorter than the latest row says, or the window long): the first
  // row of each point's slice of what is left stands for it.
  const width = (endMs - cursor) / HISTORY_MAX_POINTS;
  const slices = Array.from({ length: HISTORY_MAX_POINTS }, (_, i) => cursor + i * width);
  for (let i = 0; i < slices.length; i += HISTORY_SAMPLE_CONCURRENCY) {
    const batch = slices.slice(i, i + HISTORY_SAMPLE_CONCURRENCY);
    const found = await Promise.all(
      batch.map(async (from) => {
        const [row] = await store.snapshotsSince(new Date(from), 1);
        return row !== undefined && Date.parse(row.timestamp) < from + width ? row : undefined;
      }),
    );
    for (const row of found) if (row !== undefined) rows.push(row);
  }
  return { rows, sampledEveryMs: width };
}
