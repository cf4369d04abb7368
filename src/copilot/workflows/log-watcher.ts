import {
  condition,
  continueAsNew,
  defineQuery,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';

import type { CopilotActivities } from '../activities/index.js';
import { workflowIds, type LogPatternCount, type LogWatcherInput } from '../types.js';

import { logPatternsSignal, stopSignal } from './observe.js';

export const recentPatternsQuery = defineQuery<readonly LogPatternCount[]>('recentPatterns');

/** Sums per-cycle counts by (pattern, service), keeping the first sample seen. */
export function sumPatterns(cycles: readonly (readonly LogPatternCount[])[]): LogPatternCount[] {
  const totals = new Map<string, LogPatternCount>();
  for (const cycle of cycles) {
    for (const p of cycle) {
      const key = `${p.pattern}\u0000${p.service}`;
      const prev = totals.get(key);
      totals.set(key, prev === undefined ? { ...p } : { ...prev, count: prev.count + p.count });
    }
  }
  return [...totals.values()].sort((a, b) => b.count - a.count);
}

/**
 * Every cadence, counts narrative log patterns (Loki or the local log file) over the last cadence
 * and keeps the recent cycles' counts. It hands the recent totals to the observe workflow by
 * signal, so state-change assessments carry log context (the reference's did not).
 */
export async function logWatcherWorkflow(input: LogWatcherInput): Promise<void> {
  const { collectLogPatterns } = proxyActivities<CopilotActivities>({
    startToCloseTimeout: `${String(Math.max(5, Math.min(30, input.cadence_s * 2)))}s`,
    retry: { maximumAttempts: 2, initialInterval: '500ms' },
  });
  let recent: (readonly LogPatternCount[])[] = [...(input.carried?.recent ?? [])];
  let stopping = false;
  setHandler(recentPatternsQuery, () => sumPatterns(recent));
  setHandler(stopSignal, () => {
    stopping = true;
  });
  const observe = getExternalWorkflowHandle(workflowIds(input.cluster_id).observe);

  for (let cycle = 0; !stopping; cycle++) {
    const started = Date.now();
    let errors: readonly string[];
    try {
      const found = await collectLogPatterns({ window_s: input.cadence_s });
      recent = [...recent, found.patterns].slice(-input.keep_cycles);
      errors = found.errors;
    } catch (err) {
      // A failed read counts nothing this cycle (the observation says so); the next one reads again.
      recent = [...recent, []].slice(-input.keep_cycles);
      errors = [`logs: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300)];
    }
    try {
      await observe.signal(logPatternsSignal, { patterns: sumPatterns(recent), errors });
    } catch {
      // The observe workflow is not running (yet): it gets the next cycle's counts.
    }
    if (cycle + 1 >= input.cycles_per_run || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof logWatcherWorkflow>({ ...input, carried: { recent } });
    }
    await condition(() => stopping, Math.max(0, input.cadence_s * 1000 - (Date.now() - started)));
  }
}
