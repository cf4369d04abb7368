import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';

import { ErrorCode, errorMessage, HeadwayError } from '../../errors.js';
import type { AssessmentDraft, Explanation } from '../../explain/explanation.js';
import { loadKnowledgeBase } from '../../explain/kb.js';
import type { CallBudget } from '../../explain/llm/budget.js';
import type { ExplainModel } from '../../explain/llm/model.js';
import { narrate } from '../../explain/narrator/index.js';
import { resolveThresholds } from '../../health/thresholds.js';
import type { Signals } from '../../health/types.js';
import { collectSignals as collect, type CollectOptions } from '../../signals/collect.js';
import type { LogSource } from '../../signals/log-patterns.js';
import type { PrometheusClient } from '../../signals/prometheus-client.js';
import { FailureType } from '../../model/failures.js';
import type { AssessmentSnapshot, Observation } from '../../model/records.js';
import { retentionCutoff } from '../../store/repository.js';
import type { AssessmentStore, PruneResult } from '../../store/repository.js';
import { alertTargets, sendAlert, type AlertConfig } from './alerts.js';
import type {
  AlertTarget,
  AssessInput,
  CurrentObservation,
  LogPatternCount,
  StateChangeEvent,
} from '../types.js';

export interface CopilotActivityDeps {
  readonly prometheus: PrometheusClient;
  readonly collect: Omit<CollectOptions, 'signal' | 'time'>;
  readonly logSource: LogSource | undefined;
  /** Opens (once) and returns the store; rejects while the store is unreachable. */
  readonly store: () => Promise<AssessmentStore>;
  /** A client of the copilot cluster, for queries to the observe workflow. */
  readonly client: Client;
  readonly retentionDays: number;
  readonly alerts: AlertConfig;
  /** The optional LLM explainer; undefined: the narrator's account is final. */
  readonly llm?: {
    readonly model: ExplainModel;
    readonly budget: CallBudget;
    readonly timeoutMs: number;
    readonly temperature: number;
    readonly secrets: readonly string[];
  };
  /** Runbook directory for citations (default docs/runbooks); unreadable → no citations. */
  readonly runbooks?: string;
  readonly logger: Logger;
}

export interface RefineResult {
  readonly explanation: Explanation;
  readonly used: 'llm' | 'narrator';
  /** Why the narrator's account stands (no LLM, budget, discarded answer …). */
  readonly reason: string | null;
}

export interface CollectResult {
  readonly signals: Signals;
  readonly duration_ms: number;
  /** Secret-free descriptions of what could not be read. */
  readonly errors: readonly string[];
}

export interface LogPatternsResult {
  readonly patterns: readonly LogPatternCount[];
  readonly errors: readonly string[];
}

export interface SaveSnapshotInput {
  readonly id: string;
  readonly at: string;
  readonly signals: Signals;
  readonly observation: Observation;
}

export interface SaveAssessmentInput {
  readonly id: string;
  readonly at: string;
  readonly trigger: string;
  readonly draft: AssessmentDraft & { readonly explanation?: unknown };
  readonly metrics_snapshot: AssessmentSnapshot;
}

/**
 * A configuration error will not heal by retrying: fail the activity for good so the workflow
 * reports it instead of waiting through retries. Anything else is left retryable (bounded by the
 * workflow's retry policy).
 */
function rethrow(err: unknown): never {
  if (err instanceof HeadwayError && err.code === ErrorCode.ConfigInvalid) {
    throw ApplicationFailure.nonRetryable(err.message, FailureType.ConfigInvalid);
  }
  if (err instanceof HeadwayError) {
    // HeadwayError messages are written to be shown; the cause is kept out (it may carry secrets).
    throw ApplicationFailure.retryable(err.message, err.code);
  }
  throw err;
}

export function createActivities(deps: CopilotActivityDeps) {
  const { logger } = deps;
  const store = async (): Promise<AssessmentStore> => {
    try {
      return await deps.store();
    } catch (err) {
      return rethrow(err);
    }
  };

  return {
    /** One collection from Prometheus. Never fails for an unreachable Prometheus: that is data. */
    async collectSignals(): Promise<CollectResult> {
      const collection = await collect(deps.prometheus, {
        ...deps.collect,
        signal: Context.current().cancellationSignal,
      });
      const q = collection.quality;
      const errors: string[] = [];
      if (!q.prometheus_ok) errors.push('prometheus: not answering queries');
      else if (q.target_up === false)
        errors.push('prometheus: the monitored server target is down');
      if (q.failed.length > 0) {
        errors.push(
          `prometheus: ${String(q.failed.length)} of ${String(q.queries)} queries failed (first: ${q.failed[0]?.error ?? ''})`,
        );
      }
      return { signals: collection.signals, duration_ms: q.duration_ms, errors };
    },

    /** Narrative log pattern counts over the last `window_s` seconds. */
    async collectLogPatterns(input: { window_s: number }): Promise<LogPatternsResult> {
      if (deps.logSource === undefined) return { patterns: [], errors: [] };
      const end = new Date();
      const logs = await deps.logSource.collect(
        { start: new Date(end.getTime() - input.window_s * 1000), end },
        Context.current().cancellationSignal,
      );
      return {
        patterns: logs.patterns,
        errors: logs.errors.map((e) => `${logs.source === 'loki' ? 'loki' : 'log file'}: ${e}`),
      };
    },

    async saveSnapshot(input: SaveSnapshotInput): Promise<string> {
      try {
        const s = await store();
        const saved = await s.saveSnapshot(input.signals, new Date(input.at), {
          id: input.id,
          observation: input.observation,
        });
        return saved.id;
      } catch (err) {
        return rethrow(err);
      }
    },

    /** The narrator: a deterministic account of the evaluation, citing the runbooks it used. */
    async explain(input: AssessInput): Promise<Explanation> {
      const resolved = resolveThresholds(input.thresholds ?? {});
      if (Array.isArray(resolved)) {
        throw ApplicationFailure.nonRetryable(
          `threshold overrides are invalid: ${resolved.join('; ')}`,
          FailureType.ConfigInvalid,
        );
      }
      let kb;
      try {
        kb = loadKnowledgeBase(deps.runbooks);
      } catch (err) {
        // Citations are a help, not a requirement: explain without them.
        logger.warn({ err: errorMessage(err) }, 'runbooks not loaded; no citations');
      }
      return Promise.resolve(
        narrate({
          evaluation: input.evaluation,
          signals: input.signals,
          window: input.window,
          log_patterns: [...input.log_patterns],
          thresholds: resolved,
          ...(kb === undefined ? {} : { kb }),
        }),
      );
    },

    /**
     * The optional LLM pass over the narrator's draft. Never fails for anything the model does:
     * an answer that changes the state, invents gates or does not validate is discarded, and the
     * narrator's account stands (docs/llm.md).
     */
    async refineWithLlm(input: { assess: AssessInput; draft: Explanation }): Promise<RefineResult> {
      if (deps.llm === undefined) {
        return { explanation: input.draft, used: 'narrator', reason: 'no LLM configured' };
      }
      // Loaded on first use: the AI SDK weighs ~40 MB and 0.3 s CPU that a copilot without an LLM
      // (the default) never needs.
      const { explainWithLlm } = await import('../../explain/llm/agents.js');
      const result = await explainWithLlm({
        model: deps.llm.model,
        draft: input.draft,
        evaluation: input.assess.evaluation,
        signals: input.assess.signals,
        log_patterns: input.assess.log_patterns,
        budget: deps.llm.budget,
        timeoutMs: deps.llm.timeoutMs,
        temperature: deps.llm.temperature,
        trigger: input.assess.trigger,
        secrets: deps.llm.secrets,
        signal: Context.current().cancellationSignal,
      });
      if (result.used === 'llm') {
        return { explanation: result.explanation, used: 'llm', reason: null };
      }
      logger.info({ reason: result.reason }, 'LLM explanation not used; the narrator stands');
      return { explanation: input.draft, used: 'narrator', reason: result.reason };
    },

    async saveAssessment(input: SaveAssessmentInput): Promise<string> {
      try {
        const s = await store();
        const saved = await s.saveAssessment({
          id: input.id,
          trigger: input.trigger,
          health_state: input.draft.health_state,
          summary: input.draft.summary,
          services: input.draft.services,
          issues: input.draft.issues,
          recommended_actions: input.draft.recommended_actions,
          metrics_snapshot: input.metrics_snapshot,
          explanation: input.draft.explanation ?? null,
          at: new Date(input.at),
        });
        logger.info(
          { assessment: saved.id, state: saved.health_state, trigger: saved.trigger },
          'assessment stored',
        );
        return saved.id;
      } catch (err) {
        return rethrow(err);
      }
    },

    /** The observe workflow's current view, or null when it is not running. */
    async queryObservation(input: { workflow_id: string }): Promise<CurrentObservation | null> {
      try {
        return await deps.client.workflow
          .getHandle(input.workflow_id)
          .query<CurrentObservation>('current');
      } catch (err) {
        logger.warn({ err: errorMessage(err) }, 'observe workflow did not answer its query');
        return null;
      }
    },

    async hasAssessmentSince(input: { since: string }): Promise<boolean> {
      try {
        return await (await store()).hasAssessmentSince(new Date(input.since));
      } catch (err) {
        return rethrow(err);
      }
    },

    /** Alert targets by name and format; their URLs never leave the worker. */
    async listAlertTargets(): Promise<AlertTarget[]> {
      return Promise.resolve(
        alertTargets(deps.alerts).map(({ name, format }) => ({ name, format })),
      );
    },

    async sendAlert(input: {
      target: string;
      event: StateChangeEvent;
    }): Promise<{ status: number }> {
      const result = await sendAlert(deps.alerts, input);
      logger.info(
        { target: input.target, to: input.event.to, event: input.event.event_id },
        'alert delivered',
      );
      return result;
    },

    async pruneStore(input: { now: string }): Promise<PruneResult> {
      try {
        const result = await (
          await store()
        ).prune(retentionCutoff(new Date(input.now), deps.retentionDays));
        if (result.snapshots + result.assessments > 0) logger.info(result, 'store pruned');
        return result;
      } catch (err) {
        // The workflow tries again next interval, so say it here: a store that is never pruned
        // grows without bound.
        logger.error({ err: errorMessage(err) }, 'store prune failed');
        return rethrow(err);
      }
    },
  };
}

export type CopilotActivities = ReturnType<typeof createActivities>;
