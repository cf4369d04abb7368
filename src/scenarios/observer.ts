/**
 * Records what the copilot says, through its public API only: GET /status, /status/services,
 * /status/summary and /status/issues, once a second. The copilot's verdicts are what is judged, so nothing here reads
 * Prometheus or re-evaluates signals.
 */
import { errorMessage } from '../errors.js';
import type { HealthState } from '../health/types.js';
import { FIELD, type SignalField } from '../model/signal-fields.js';

import type { Observation, Phase } from './types.js';

/** Signals kept with every observation (wire fields), to explain a verdict in the report. */
export const RECORDED_SIGNALS: readonly SignalField[] = [
  FIELD.throughput,
  FIELD.success,
  FIELD.failed,
  FIELD.completionRate,
  FIELD.historyBacklog,
  FIELD.processing,
  FIELD.matchingWorkflowBacklog,
  FIELD.matchingActivityBacklog,
  FIELD.noPollerTasks,
  FIELD.tasksAdded,
  FIELD.dispatchRatio,
  FIELD.pollTimeoutRate,
  FIELD.transitionLatencyP99,
  FIELD.frontendP99,
  FIELD.persistenceP99,
  FIELD.taskBacklogDepth,
  FIELD.workflowSlotsAvailable,
  FIELD.activitySlotsAvailable,
  FIELD.activitySlotsUsed,
  FIELD.workflowScheduleToStartP95,
  FIELD.activityScheduleToStartP95,
  // What the distributed scenarios judge: instances lost and back, and a database in trouble.
  FIELD.shardChurn,
  FIELD.restarts,
  FIELD.membershipChanges,
  FIELD.persistenceErrors,
  FIELD.poolUtilization,
  FIELD.servicesDown,
  FIELD.instancesDown,
];

const STATES: readonly string[] = ['happy', 'stressed', 'critical', 'unknown'];

function read(body: unknown, field: string): number | null {
  let node: unknown = body;
  for (const key of field.split('.')) {
    if (typeof node !== 'object' || node === null) return null;
    node = (node as Record<string, unknown>)[key];
  }
  return typeof node === 'number' && Number.isFinite(node) ? node : null;
}

const strings = (x: unknown): string[] =>
  Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : [];
const str = (x: unknown): string | null => (typeof x === 'string' ? x : null);

/**
 * The bottleneck the latest assessment names, from its words: the summary and its issues. The
 * explainer writes "Bottleneck: worker-limited." or "the bottleneck is worker-limited"; the API
 * has no structured field for it, so the text is what an operator is told.
 */
export function bottleneckOf(texts: readonly (string | null)[]): string | null {
  const re = /bottleneck(?::| is)\s+(worker[-_ ]limited|server[-_ ]limited|mixed)/i;
  for (const text of texts) {
    const m = re.exec(text ?? '');
    if (m !== null) return m[1]!.toLowerCase().replace(/[- ]/, '_');
  }
  return null;
}

async function getJson(url: string, timeoutMs: number): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`${new URL(url).pathname} answered ${response.status}`);
  }
  return response.json();
}

/** One poll of the API, as an observation at `tMs` in `phase`. */
export async function observeOnce(
  apiUrl: string,
  tMs: number,
  phase: Phase,
  timeoutMs = 3_000,
): Promise<Observation> {
  const at = new Date().toISOString();
  try {
    const [status, services, summary, issues] = await Promise.all([
      getJson(`${apiUrl}/status`, timeoutMs),
      getJson(`${apiUrl}/status/services`, timeoutMs),
      getJson(`${apiUrl}/status/summary`, timeoutMs),
      getJson(`${apiUrl}/status/issues?limit=20`, timeoutMs),
    ]);
    const s = status as Record<string, unknown>;
    const state = str(s.health_state);
    if (state === null || !STATES.includes(state)) {
      throw new Error(`/status has no health_state (${String(s.health_state)})`);
    }
    const serviceList = (services as { services?: unknown }).services;
    const serviceStatus: Record<string, string> = {};
    if (Array.isArray(serviceList)) {
      for (const entry of serviceList as { name?: unknown; status?: unknown }[]) {
        if (typeof entry.name === 'string' && typeof entry.status === 'string') {
          serviceStatus[entry.name] = entry.status;
        }
      }
    }
    const text = str((summary as { summary?: unknown }).summary);
    const issueList = (issues as { issues?: unknown }).issues;
    const issueTexts = Array.isArray(issueList)
      ? (issueList as { title?: unknown; description?: unknown }[]).map(
          (i) => `${str(i.title) ?? ''}: ${str(i.description) ?? ''}`,
        )
      : [];
    return {
      t_ms: tMs,
      at,
      phase,
      health_state: state as HealthState,
      stale: typeof s.stale === 'boolean' ? s.stale : null,
      observed_at: str(s.observed_at),
      scale_band: str(s.scale_band),
      consecutive_critical:
        typeof s.consecutive_critical === 'number' ? s.consecutive_critical : null,
      fired_gates: strings(s.fired_gates),
      reasons: strings(s.reasons),
      errors: strings(s.errors),
      services: serviceStatus,
      summary: text,
      issues: issueTexts,
      bottleneck: bottleneckOf([text, ...issueTexts]),
      signals: Object.fromEntries(RECORDED_SIGNALS.map((f) => [f, read(status, f)])),
    };
  } catch (err) {
    return {
      t_ms: tMs,
      at,
      phase,
      health_state: null,
      stale: null,
      observed_at: null,
      scale_band: null,
      consecutive_critical: null,
      fired_gates: [],
      reasons: [],
      errors: [],
      services: {},
      summary: null,
      issues: [],
      bottleneck: null,
      signals: {},
      error: errorMessage(err),
    };
  }
}

/**
 * Polls every `intervalMs` until stopped, keeping every observation. Polls are sequential: a slow
 * answer delays the next poll rather than piling requests onto a busy copilot.
 */
export class Observer {
  readonly observations: Observation[] = [];
  phase: Phase = 'warmup';
  readonly #apiUrl: string;
  readonly #origin: number;
  readonly #intervalMs: number;
  readonly #onObservation: (o: Observation) => void;
  #stopped = false;
  #loop: Promise<void> | undefined;

  constructor(
    apiUrl: string,
    options: {
      readonly origin: number;
      readonly intervalMs?: number;
      readonly onObservation?: (o: Observation) => void;
    },
  ) {
    this.#apiUrl = apiUrl;
    this.#origin = options.origin;
    this.#intervalMs = options.intervalMs ?? 1_000;
    this.#onObservation = options.onObservation ?? (() => undefined);
  }

  /** Milliseconds since the run's origin. */
  now(): number {
    return Date.now() - this.#origin;
  }

  start(): void {
    this.#loop ??= (async () => {
      while (!this.#stopped) {
        const started = Date.now();
        const o = await observeOnce(this.#apiUrl, this.now(), this.phase);
        this.observations.push(o);
        this.#onObservation(o);
        const wait = this.#intervalMs - (Date.now() - started);
        if (wait > 0 && !this.#stopped) await new Promise((r) => setTimeout(r, wait));
      }
    })();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#loop;
  }
}
