import { ApplicationFailure, Context } from '@temporalio/activity';

import { FailureType } from '../../model/failures.js';

import type { AlertTarget, StateChangeEvent } from '../types.js';

export interface AlertConfig {
  readonly webhooks: readonly string[];
  readonly slack_webhooks: readonly string[];
}

interface ResolvedTarget extends AlertTarget {
  readonly url: string;
}

/** Targets named by kind and position (`webhook-1`, `slack-1`): the name is safe to log. */
export function alertTargets(config: AlertConfig): ResolvedTarget[] {
  return [
    ...config.webhooks.map((url, i) => ({
      name: `webhook-${String(i + 1)}`,
      format: 'json' as const,
      url,
    })),
    ...config.slack_webhooks.map((url, i) => ({
      name: `slack-${String(i + 1)}`,
      format: 'slack' as const,
      url,
    })),
  ];
}

const EMOJI: Readonly<Record<string, string>> = {
  happy: ':large_green_circle:',
  stressed: ':large_yellow_circle:',
  critical: ':red_circle:',
  unknown: ':white_circle:',
};

/** The message body for a target's format. */
export function alertBody(format: AlertTarget['format'], event: StateChangeEvent): unknown {
  if (format === 'json') return { type: 'headway.health_state_changed', ...event };
  const why = event.reasons.slice(0, 3).join('; ');
  return {
    text:
      `${EMOJI[event.to] ?? ''} Temporal cluster *${event.cluster_id}* is now *${event.to}*` +
      `${event.from === null ? '' : ` (was ${event.from})`}` +
      `${why === '' ? '' : `: ${why}`}`,
  };
}

/**
 * POSTs one alert to one target. Retried by the workflow's policy (bounded, with backoff); a 4xx
 * other than 408/429 will not heal, so it fails for good. Errors never quote the URL.
 */
export async function sendAlert(
  config: AlertConfig,
  input: { target: string; event: StateChangeEvent },
  fetchImpl: typeof fetch = fetch,
): Promise<{ status: number }> {
  const target = alertTargets(config).find((t) => t.name === input.target);
  if (target === undefined) {
    throw ApplicationFailure.nonRetryable(
      `no alert target ${input.target}`,
      FailureType.ConfigInvalid,
    );
  }
  let response: Response;
  try {
    response = await fetchImpl(target.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': input.event.event_id,
        'user-agent': 'headway-copilot',
      },
      body: JSON.stringify(alertBody(target.format, input.event)),
      signal: AbortSignal.any([AbortSignal.timeout(10_000), Context.current().cancellationSignal]),
    });
  } catch (err) {
    // fetch's own message is generic; the cause's code (ECONNREFUSED, ENOTFOUND) says what failed
    // without quoting the URL.
    const cause = err instanceof Error ? (err.cause as { code?: unknown } | undefined) : undefined;
    const why =
      typeof cause?.code === 'string' ? cause.code : err instanceof Error ? err.name : 'error';
    throw ApplicationFailure.retryable(
      `${target.name}: request failed (${why})`,
      FailureType.AlertFailed,
    );
  }
  await response.body?.cancel();
  if (response.ok) return { status: response.status };
  const message = `${target.name}: answered ${String(response.status)}`;
  if (
    response.status >= 400 &&
    response.status < 500 &&
    response.status !== 408 &&
    response.status !== 429
  ) {
    throw ApplicationFailure.nonRetryable(message, FailureType.AlertRejected);
  }
  throw ApplicationFailure.retryable(message, FailureType.AlertFailed);
}
