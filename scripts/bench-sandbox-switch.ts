/**
 * `npm run bench:sandbox-switch`: what one switch between workflows costs in a reused workflow
 * sandbox, the SDK's (`ReusableVMWorkflowCreator`: every global's descriptor saved and restored)
 * against the bench's (`ActivatorSwapCreator`: the SDK's activator swapped). Each creates 50
 * `simple` workflows from the bench bundle, then calls into them (one of the cheapest calls the
 * SDK makes into a sandbox, `tryUnblockConditions`) round-robin, a switch per call, and always
 * into the same one, no switch: the difference is the switch. Prints CPU µs per call, the median
 * of 5 rounds of 20,000 calls.
 *
 *   npm run bench:sandbox-switch [-- --workflows 50 --calls 20000 --rounds 5]
 */
import { randomFillSync, randomUUID } from 'node:crypto';

import { TypedSearchAttributes } from '@temporalio/common';
import type { Workflow, WorkflowCreator } from '@temporalio/worker/lib/workflow/interface.js';
import { ReusableVMWorkflowCreator } from '@temporalio/worker/lib/workflow/reusable-vm.js';
import type { WorkflowBundleWithSourceMapAndFilename as Bundle } from '@temporalio/worker/lib/workflow/workflow-worker-thread/input.js';

import { benchWorkflowBundle } from '../src/bench/worker.js';
import { workflowCall } from '../src/bench/workflow-types.js';
import { loadConfig } from '../src/config/load.js';
import { ActivatorSwapCreator } from '../src/temporal/activator-swap.js';
import { numberFlag, scriptArgs } from './lib/script-args.js';

const { values } = scriptArgs(import.meta.url, {
  options: {
    workflows: { type: 'string', default: '50' },
    calls: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '5' },
  },
});
const whole = { min: 1, whole: true };
const WORKFLOWS = numberFlag(import.meta.url, '--workflows', values.workflows, whole);
const CALLS = numberFlag(import.meta.url, '--calls', values.calls, whole);
const ROUNDS = numberFlag(import.meta.url, '--rounds', values.rounds, whole);

const bundle = await benchWorkflowBundle(loadConfig({}).config.cache_dir);
// The bundle carries its source map inline; a creator takes it apart, as the SDK's worker does
// before it makes one (its parseWorkflowCode is not exported).
const mapAt = bundle.code.lastIndexOf('//# sourceMappingURL=data:');
const base64At = bundle.code.indexOf('base64,', mapAt) + 'base64,'.length;
const code: Bundle = {
  code: bundle.code,
  sourceMap: JSON.parse(
    Buffer.from(bundle.code.slice(base64At).trimEnd(), 'base64').toString(),
  ) as Bundle['sourceMap'],
  filename: 'headway-bench-workflows.js',
};
const workflowType = workflowCall('simple', {
  activityCount: 0,
  timerDurationMs: 0,
  childCount: 0,
}).name;

/** What the SDK's worker passes a creator for a first workflow task (worker.js createWorkflow). */
function createOptions(
  creator: string,
  i: number,
): Parameters<WorkflowCreator['createWorkflow']>[0] {
  const now = Date.now();
  const runId = `${creator}-run-${i}`;
  return {
    info: {
      workflowId: `${creator}-${i}`,
      runId,
      workflowType,
      searchAttributes: {},
      typedSearchAttributes: new TypedSearchAttributes(),
      taskQueue: 'sandbox-switch',
      namespace: 'default',
      firstExecutionRunId: runId,
      originalExecutionRunId: runId,
      startTime: new Date(now),
      runStartTime: new Date(now),
      taskTimeoutMs: 10_000,
      attempt: 1,
      historyLength: 3,
      historySize: 0,
      continueAsNewSuggested: false,
      targetWorkerDeploymentVersionChanged: false,
      currentBuildId: '',
      unsafe: {
        now: Date.now,
        isReplaying: false,
        isReplayingHistoryEvents: false,
        // Replaced inside the sandbox (initRuntime); the SDK passes one of its own.
        random: {
          random: Math.random,
          uuid4: () => randomUUID(),
          fillRandom: (bytes: Uint8Array) => randomFillSync(bytes),
        },
      },
      priority: {},
    },
    randomnessSeed: [1, 2, 3, 4, 5, 6, 7, 8],
    now,
    showStackTraceSources: false,
  };
}

/** The proxy each workflow calls into its sandbox through (a protected field of the SDK's). */
interface SandboxCalls {
  readonly workflowModule: { tryUnblockConditions(): number };
}

/** CPU µs per call of `calls` calls, the workflow of call k being `pick(k)`. */
function timeCalls(workflows: readonly Workflow[], pick: (k: number) => number): number {
  const modules = workflows.map((w) => (w as unknown as SandboxCalls).workflowModule);
  const t0 = process.cpuUsage();
  for (let k = 0; k < CALLS; k++) modules[pick(k)]!.tryUnblockConditions();
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / CALLS;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const creators = {
  sdk: await ReusableVMWorkflowCreator.create(code, undefined as unknown as number, new Set()),
  headway: await ActivatorSwapCreator.create(code, undefined as unknown as number, new Set()),
};
const created: Record<keyof typeof creators, Workflow[]> = { sdk: [], headway: [] };
for (const name of ['sdk', 'headway'] as const) {
  for (let i = 0; i < WORKFLOWS; i++) {
    created[name].push(await creators[name].createWorkflow(createOptions(name, i)));
  }
}
const figures: Record<keyof typeof creators, { switching: number[]; same: number[] }> = {
  sdk: { switching: [], same: [] },
  headway: { switching: [], same: [] },
};
// Alternated, so both meet the same moments of a shared machine.
for (let round = 0; round < ROUNDS; round++) {
  for (const name of ['sdk', 'headway'] as const) {
    figures[name].switching.push(timeCalls(created[name], (k) => k % WORKFLOWS));
    figures[name].same.push(timeCalls(created[name], () => 0));
  }
}
console.log(
  `sandbox switch: ${WORKFLOWS} simple workflows per sandbox, ${CALLS} calls, median of ${ROUNDS} rounds`,
);
for (const name of ['sdk', 'headway'] as const) {
  const switching = median(figures[name].switching);
  const same = median(figures[name].same);
  const label = name === 'sdk' ? "SDK's reused sandbox" : "bench's (activator swap)";
  console.log(
    `  ${label.padEnd(26)} ${switching.toFixed(1).padStart(6)} µs per call switching, ` +
      `${same.toFixed(1).padStart(5)} µs without: ${(switching - same).toFixed(1)} µs per switch`,
  );
}
for (const name of ['sdk', 'headway'] as const) {
  for (const w of created[name]) await w.dispose();
  await creators[name].destroy();
}
