import { z } from 'zod';

import type { ScaleBand } from './types.js';

/**
 * The one threshold table. The state machine, the per-service view, the bottleneck classifier
 * and the API all read it; nothing keeps a second copy. Values per scale band come from the
 * reference copilot (its `THRESHOLD_PROFILES`), with the reasons recorded there.
 */
export interface Thresholds {
  readonly critical: {
    readonly state_transitions_min_per_sec: number;
    readonly history_processing_rate_min_per_sec: number;
    readonly completion_rate_demand_floor_per_sec: number;
    readonly workflow_completion_rate_min: number;
    readonly history_backlog_age_max_sec: number;
    readonly persistence_error_rate_max_per_sec: number;
    /** Tasks handed to workers per task added, below which work has (almost) stopped moving. */
    readonly matching_dispatch_ratio_min: number;
  };
  readonly stressed: {
    readonly state_transition_latency_p99_max_ms: number;
    readonly history_backlog_age_stress_sec: number;
    readonly frontend_latency_p99_max_ms: number;
    readonly persistence_latency_p99_max_ms: number;
    readonly shard_churn_rate_max_per_sec: number;
    readonly poller_timeout_rate_max: number;
    readonly matching_dispatch_ratio_min: number;
    /** Server processes restarted in the last 2 minutes above which the cluster is stressed. */
    readonly server_restarts_max: number;
  };
  readonly healthy: {
    readonly state_transitions_healthy_per_sec: number;
    readonly history_backlog_age_healthy_sec: number;
    readonly workflow_completion_rate_healthy: number;
  };
}

/** Constants that are not per band; in the table too, so they can be read and overridden in one place. */
export interface Rules {
  /** Critical evaluations in a row before the state is critical. */
  readonly consecutive_critical: number;
  /** Demand gate for latency and poller gates (st/s). */
  readonly demand_floor_per_sec: number;
  /** Terminal workflows per second below which the healthy completion gate is skipped. */
  readonly completion_demand_floor_per_sec: number;
  /** Tasks added to matching per second below which the dispatch gates are not evaluated. */
  readonly dispatch_demand_floor_per_sec: number;
  readonly idle: {
    readonly throughput_max: number;
    readonly processing_max: number;
    readonly error_rate_max: number;
    readonly failed_max: number;
    readonly backlog_age_max_sec: number;
    readonly deletion_max: number;
    readonly cleanup_max: number;
  };
  readonly system_busy: {
    readonly throughput_max: number;
    readonly deletion_min: number;
    readonly cleanup_min: number;
  };
  readonly near_critical: {
    readonly throughput_factor: number;
    readonly backlog_factor: number;
    readonly processing_factor: number;
  };
  /** Older data than this (seconds since the last scrape) makes the state unknown. */
  readonly max_scrape_age_s: number;
  readonly bands: {
    readonly mid_scale_min: number;
    readonly high_throughput_min: number;
    readonly hysteresis: number;
  };
  /**
   * Worker bottleneck: workflow-task schedule-to-start p95 above this is worker pressure. 200 ms,
   * the reference's own stressed value; its 50 ms is where healthy ends, and a busy but able
   * worker's p95 sits on that line (docs/health-model.md, difference 13).
   */
  readonly worker_wft_schedule_to_start_max_ms: number;
  /** Per-service view: frontend errors per second that block clients. */
  readonly frontend_error_rate_critical_per_sec: number;
}

export const THRESHOLD_PROFILES: Readonly<Record<ScaleBand, Thresholds>> = {
  starter: {
    critical: {
      state_transitions_min_per_sec: 0.5,
      history_processing_rate_min_per_sec: 0.5,
      completion_rate_demand_floor_per_sec: 0.5,
      workflow_completion_rate_min: 0.3,
      history_backlog_age_max_sec: 600,
      persistence_error_rate_max_per_sec: 50,
      matching_dispatch_ratio_min: 0.1,
    },
    stressed: {
      state_transition_latency_p99_max_ms: 2000,
      history_backlog_age_stress_sec: 120,
      frontend_latency_p99_max_ms: 5000,
      persistence_latency_p99_max_ms: 500,
      shard_churn_rate_max_per_sec: 5,
      poller_timeout_rate_max: 0.5,
      matching_dispatch_ratio_min: 0.5,
      server_restarts_max: 0,
    },
    healthy: {
      // Strictly above the critical floor: equal values would let one reading be both.
      state_transitions_healthy_per_sec: 1.0,
      history_backlog_age_healthy_sec: 120,
      workflow_completion_rate_healthy: 0.85,
    },
  },
  'mid-scale': {
    critical: {
      state_transitions_min_per_sec: 3,
      history_processing_rate_min_per_sec: 3,
      completion_rate_demand_floor_per_sec: 3,
      workflow_completion_rate_min: 0.3,
      history_backlog_age_max_sec: 300,
      persistence_error_rate_max_per_sec: 50,
      matching_dispatch_ratio_min: 0.1,
    },
    stressed: {
      state_transition_latency_p99_max_ms: 1000,
      history_backlog_age_stress_sec: 60,
      frontend_latency_p99_max_ms: 2000,
      persistence_latency_p99_max_ms: 200,
      shard_churn_rate_max_per_sec: 5,
      poller_timeout_rate_max: 0.3,
      matching_dispatch_ratio_min: 0.5,
      server_restarts_max: 0,
    },
    healthy: {
      state_transitions_healthy_per_sec: 5,
      history_backlog_age_healthy_sec: 60,
      workflow_completion_rate_healthy: 0.85,
    },
  },
  'high-throughput': {
    critical: {
      state_transitions_min_per_sec: 5,
      history_processing_rate_min_per_sec: 5,
      completion_rate_demand_floor_per_sec: 5,
      workflow_completion_rate_min: 0.3,
      history_backlog_age_max_sec: 300,
      persistence_error_rate_max_per_sec: 50,
      matching_dispatch_ratio_min: 0.1,
    },
    stressed: {
      state_transition_latency_p99_max_ms: 500,
      history_backlog_age_stress_sec: 30,
      frontend_latency_p99_max_ms: 1000,
      persistence_latency_p99_max_ms: 100,
      shard_churn_rate_max_per_sec: 5,
      poller_timeout_rate_max: 0.1,
      matching_dispatch_ratio_min: 0.5,
      server_restarts_max: 0,
    },
    healthy: {
      state_transitions_healthy_per_sec: 10,
      history_backlog_age_healthy_sec: 30,
      workflow_completion_rate_healthy: 0.85,
    },
  },
};

/** A SQL connection pool with more of its connections in use than this is saturated (percent). */
export const POOL_SATURATED_PCT = 85;

export const DEFAULT_RULES: Rules = {
  consecutive_critical: 3,
  demand_floor_per_sec: 5,
  completion_demand_floor_per_sec: 1,
  dispatch_demand_floor_per_sec: 0.5,
  idle: {
    throughput_max: 5,
    processing_max: 5,
    error_rate_max: 0.1,
    failed_max: 0.1,
    backlog_age_max_sec: 5,
    deletion_max: 1,
    cleanup_max: 0.5,
  },
  system_busy: { throughput_max: 5, deletion_min: 5, cleanup_min: 1 },
  near_critical: { throughput_factor: 1.5, backlog_factor: 0.75, processing_factor: 1.5 },
  max_scrape_age_s: 120,
  bands: { mid_scale_min: 50, high_throughput_min: 500, hysteresis: 0.1 },
  worker_wft_schedule_to_start_max_ms: 200,
  frontend_error_rate_critical_per_sec: 5,
};

const positive = z.number().nonnegative();
const partial = <T extends z.ZodRawShape>(shape: T) => z.strictObject(shape).partial();

/** Operator overrides: any threshold, applied to every band, plus rules. Validated for ordering. */
export const ThresholdOverridesSchema = z
  .strictObject({
    critical: partial({
      state_transitions_min_per_sec: positive,
      history_processing_rate_min_per_sec: positive,
      completion_rate_demand_floor_per_sec: positive,
      workflow_completion_rate_min: z.number().min(0).max(1),
      history_backlog_age_max_sec: positive,
      persistence_error_rate_max_per_sec: positive,
      matching_dispatch_ratio_min: z.number().min(0).max(1),
    }),
    stressed: partial({
      state_transition_latency_p99_max_ms: positive,
      history_backlog_age_stress_sec: positive,
      frontend_latency_p99_max_ms: positive,
      persistence_latency_p99_max_ms: positive,
      shard_churn_rate_max_per_sec: positive,
      poller_timeout_rate_max: z.number().min(0).max(1),
      matching_dispatch_ratio_min: z.number().min(0).max(1),
      server_restarts_max: positive,
    }),
    healthy: partial({
      state_transitions_healthy_per_sec: positive,
      history_backlog_age_healthy_sec: positive,
      workflow_completion_rate_healthy: z.number().min(0).max(1),
    }),
    rules: partial({
      consecutive_critical: z.number().int().min(1).max(100),
      demand_floor_per_sec: positive,
      completion_demand_floor_per_sec: positive,
      dispatch_demand_floor_per_sec: positive,
      max_scrape_age_s: z.number().positive(),
      worker_wft_schedule_to_start_max_ms: positive,
      frontend_error_rate_critical_per_sec: positive,
    }),
  })
  .partial();
export type ThresholdOverrides = z.infer<typeof ThresholdOverridesSchema>;

/** Thresholds and rules after overrides: what one evaluation uses. */
export interface ResolvedThresholds {
  readonly profiles: Readonly<Record<ScaleBand, Thresholds>>;
  readonly rules: Rules;
}

/**
 * Applies overrides to every band and checks the ordering a state machine needs: critical floors
 * strictly below healthy levels, healthy backlog ≤ stressed backlog < critical backlog, the
 * critical completion rate below the healthy one and the critical dispatch ratio below the
 * stressed one. Returns the problems, one per broken rule.
 */
export function resolveThresholds(
  overrides: ThresholdOverrides = {},
): ResolvedThresholds | string[] {
  const problems: string[] = [];
  const profiles = {} as Record<ScaleBand, Thresholds>;
  for (const band of Object.keys(THRESHOLD_PROFILES) as ScaleBand[]) {
    const base = THRESHOLD_PROFILES[band];
    const t: Thresholds = {
      critical: { ...base.critical, ...overrides.critical },
      stressed: { ...base.stressed, ...overrides.stressed },
      healthy: { ...base.healthy, ...overrides.healthy },
    };
    const check = (ok: boolean, message: string): void => {
      if (!ok) problems.push(`${band}: ${message}`);
    };
    check(
      t.critical.state_transitions_min_per_sec < t.healthy.state_transitions_healthy_per_sec,
      `critical.state_transitions_min_per_sec (${t.critical.state_transitions_min_per_sec}) must be below healthy.state_transitions_healthy_per_sec (${t.healthy.state_transitions_healthy_per_sec})`,
    );
    check(
      t.healthy.history_backlog_age_healthy_sec <= t.stressed.history_backlog_age_stress_sec,
      `healthy.history_backlog_age_healthy_sec (${t.healthy.history_backlog_age_healthy_sec}) must not exceed stressed.history_backlog_age_stress_sec (${t.stressed.history_backlog_age_stress_sec})`,
    );
    check(
      t.stressed.history_backlog_age_stress_sec < t.critical.history_backlog_age_max_sec,
      `stressed.history_backlog_age_stress_sec (${t.stressed.history_backlog_age_stress_sec}) must be below critical.history_backlog_age_max_sec (${t.critical.history_backlog_age_max_sec})`,
    );
    check(
      t.critical.workflow_completion_rate_min < t.healthy.workflow_completion_rate_healthy,
      `critical.workflow_completion_rate_min (${t.critical.workflow_completion_rate_min}) must be below healthy.workflow_completion_rate_healthy (${t.healthy.workflow_completion_rate_healthy})`,
    );
    check(
      t.critical.matching_dispatch_ratio_min < t.stressed.matching_dispatch_ratio_min,
      `critical.matching_dispatch_ratio_min (${t.critical.matching_dispatch_ratio_min}) must be below stressed.matching_dispatch_ratio_min (${t.stressed.matching_dispatch_ratio_min})`,
    );
    profiles[band] = t;
  }
  if (problems.length > 0) return problems;
  return { profiles, rules: { ...DEFAULT_RULES, ...overrides.rules } };
}

export const DEFAULT_THRESHOLDS: ResolvedThresholds = resolveThresholds() as ResolvedThresholds;
