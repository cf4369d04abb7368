import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { RetriesWithFallbackInput } from '../../src/samples/types.js';
import type { retriesWithFallbackWorkflow } from '../../src/samples/workflows/retries-with-fallback.js';
import { startSampleEnv, type SampleEnv } from '../helpers/sample-worker.js';

let env: SampleEnv;
beforeAll(async () => {
  env = await startSampleEnv();
});
afterAll(async () => {
  await env?.stop();
});

/** Short backoff so the retry paths take well under a second. */
const activity = {
  retry: {
    initialIntervalMs: 50,
    backoffCoefficient: 2,
    maximumIntervalMs: 200,
    maximumAttempts: 3,
  },
};

let seq = 0;
async function run(input: RetriesWithFallbackInput) {
  const handle = await env.client.workflow.start<typeof retriesWithFallbackWorkflow>(
    'retriesWithFallback',
    {
      taskQueue: env.taskQueue,
      workflowId: `retries-${++seq}-${Date.now()}`,
      args: [{ activity, ...input }],
    },
  );
  return { handle, result: await handle.result() };
}

/** Attempts of the primary activity as the server recorded them. */
async function primaryAttempts(workflowId: string): Promise<number[]> {
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  const scheduled = new Map<string, string>();
  const attempts: number[] = [];
  history.events?.forEach((e) => {
    const s = e.activityTaskScheduledEventAttributes;
    if (s != null) scheduled.set(String(e.eventId), s.activityType?.name ?? '');
    const started = e.activityTaskStartedEventAttributes;
    if (started != null && scheduled.get(String(started.scheduledEventId)) === 'callPrimary') {
      attempts.push(started.attempt ?? 0);
    }
  });
  return attempts;
}

describe('retriesWithFallback sample: failures routed by type', () => {
  it('succeeds on the first attempt when nothing fails', async () => {
    const { result } = await run({});
    expect(result).toMatchObject({ source: 'primary', attempts: 1, fallbackReason: null });
  });

  it('retries retryable failures with backoff and then succeeds', async () => {
    const started = Date.now();
    const { result } = await run({ failures: ['retryable', 'retryable'] });
    expect(result).toMatchObject({
      source: 'primary',
      attempts: 3,
      value: 'primary succeeded on attempt 3',
    });
    // Backoff 50 ms then 100 ms.
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  it('goes to the fallback once retryable failures exhaust the attempts', async () => {
    const { result } = await run({ failures: ['retryable', 'retryable', 'retryable'] });
    expect(result).toMatchObject({
      source: 'fallback',
      fallbackReason: 'retries_exhausted',
      primaryError: { type: 'TRANSIENT', message: 'transient failure on attempt 3' },
    });
  });

  it('sends a non-retryable failure to the fallback without retrying', async () => {
    const { handle, result } = await run({ failures: ['non_retryable', 'retryable'] });
    expect(result).toMatchObject({
      source: 'fallback',
      value: 'fallback answer (primary: non_retryable)',
      fallbackReason: 'non_retryable',
      primaryError: { type: 'PERMANENT', message: 'permanent failure on attempt 1' },
    });
    // The activity's last attempt is recorded once it closes; there was only one.
    expect(await primaryAttempts(handle.workflowId)).toEqual([1]);
    expect(await handle.query('currentState')).toBe('done');
  });

  it('retries a timed-out attempt within bounds and succeeds', async () => {
    const { result } = await run({ failures: ['timeout'], attemptTimeoutMs: 300 });
    expect(result).toMatchObject({ source: 'primary', attempts: 2 });
  });

  it('sends timeouts to the fallback when every attempt times out', async () => {
    const { result } = await run({
      failures: ['timeout', 'timeout', 'timeout'],
      attemptTimeoutMs: 300,
    });
    expect(result).toMatchObject({
      source: 'fallback',
      fallbackReason: 'timeout',
      primaryError: { type: 'TIMEOUT' },
    });
  });

  it('rejects bad input with INVALID_INPUT', async () => {
    const handle = await env.client.workflow.start('retriesWithFallback', {
      taskQueue: env.taskQueue,
      workflowId: `retries-bad-${Date.now()}`,
      args: [{ failures: ['sometimes'] }],
    });
    let cause: unknown = await handle.result().catch((e: unknown) => e);
    while (cause instanceof Error && !(cause instanceof ApplicationFailure)) cause = cause.cause;
    expect((cause as ApplicationFailure).type).toBe('INVALID_INPUT');
    expect((cause as ApplicationFailure).message).toContain('failures.0');
  });
});
