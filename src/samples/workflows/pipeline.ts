import {
  ApplicationFailure,
  executeChild,
  isCancellation,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';

import type { SampleActivities } from '../activities/index.js';
import {
  PIPELINE_STAGES,
  PipelineInputSchema,
  SampleFailure,
  SampleWorkflow,
  SubTaskInputSchema,
  type PipelineInput,
  type PipelineResult,
  type PipelineStage,
  type SubTaskInput,
  type SubTaskResult,
} from '../types.js';

import { currentStateQuery, progressQuery } from './definitions.js';
import { activityOptions, parseInput, rootMessage } from './support.js';
import type { workLoopWorkflow } from './work-loop.js';

/**
 * Issue to pull request: analyze, implement (a tree of `subTask` children that split large tasks
 * while depth allows), run checks, open the pull request (simulated). The shape of the reference
 * IssueToPrWorkflow.
 */
export async function pipelineWorkflow(raw: PipelineInput): Promise<PipelineResult> {
  const input = parseInput('pipeline', PipelineInputSchema, raw);
  const acts = proxyActivities<SampleActivities>(activityOptions(input.activity));
  const { workflowId } = workflowInfo();

  let stage: PipelineStage = 'analyze';
  setHandler(currentStateQuery, () => stage);
  setHandler(progressQuery, () => {
    const done = Math.min(PIPELINE_STAGES.indexOf(stage), 4);
    return { state: stage, done, total: 4, message: `stage ${stage} (${done}/4 done)` };
  });

  try {
    const analysis = await acts.analyzeIssue(input.issue);
    stage = 'implement';
    let tree: SubTaskResult;
    try {
      tree = await executeChild<typeof subTaskWorkflow>(SampleWorkflow.subTask, {
        workflowId: `${workflowId}.task`,
        args: [
          {
            task: { title: input.issue.title, complexity: analysis.complexity },
            depth: 0,
            maxDepth: input.maxDepth,
            decomposeAbove: input.decomposeAbove,
            step: input.step,
            maxIterations: input.maxIterations,
            failTask: input.failTask,
            activity: input.activity,
          },
        ],
      });
    } catch (err) {
      if (isCancellation(err)) throw err;
      throw ApplicationFailure.create({
        type: SampleFailure.SubtaskFailed,
        message: `implement stage failed: ${rootMessage(err)}`,
        nonRetryable: true,
        cause: err instanceof Error ? err : undefined,
      });
    }
    stage = 'test';
    const checks = await acts.runChecks({ tree });
    stage = 'open_pr';
    const pullRequest = checks.passed
      ? await acts.openPullRequest({ issue: input.issue.title, tree })
      : null;
    stage = 'done';
    return {
      issue: input.issue.title,
      analysis: analysis.summary,
      tree,
      leaves: checks.leaves,
      depth: checks.depth,
      checksPassed: checks.passed,
      pullRequest,
    };
  } catch (err) {
    stage = isCancellation(err) ? 'cancelled' : 'failed';
    throw err;
  }
}

/**
 * One task of a pipeline. Too large and not too deep: split it and run a child per part (they run
 * in parallel). Otherwise implement it: a `workLoop` child when a step is configured, else an
 * activity.
 */
export async function subTaskWorkflow(raw: SubTaskInput): Promise<SubTaskResult> {
  const input = parseInput('subTask', SubTaskInputSchema, raw);
  const acts = proxyActivities<SampleActivities>(activityOptions(input.activity));
  const { workflowId } = workflowInfo();
  const { task, depth } = input;

  let state = 'planning';
  setHandler(currentStateQuery, () => state);
  setHandler(progressQuery, () => ({
    state,
    done: state === 'done' ? 1 : 0,
    total: 1,
    message: `${task.title} (depth ${depth}): ${state}`,
  }));

  const plan = await acts.planTask({
    task,
    depth,
    maxDepth: input.maxDepth,
    decomposeAbove: input.decomposeAbove,
  });
  if (plan.subtasks.length > 0) {
    state = 'waiting_for_subtasks';
    const children = await Promise.all(
      plan.subtasks.map((subtask, i) =>
        executeChild<typeof subTaskWorkflow>(SampleWorkflow.subTask, {
          workflowId: `${workflowId}.${i + 1}`,
          args: [{ ...input, task: subtask, depth: depth + 1 }],
        }),
      ),
    );
    state = 'done';
    return {
      title: task.title,
      depth,
      complexity: task.complexity,
      kind: 'decomposed',
      passed: children.every((c) => c.passed),
      summary: `split into ${children.length} subtasks`,
      children,
    };
  }

  state = 'implementing';
  if (input.step !== undefined) {
    const loop = await executeChild<typeof workLoopWorkflow>(SampleWorkflow.workLoop, {
      workflowId: `${workflowId}.loop`,
      args: [
        {
          step: input.step,
          maxIterations: input.maxIterations,
          instructions: [`implement: ${task.title}`],
          activity: input.activity,
        },
      ],
    });
    state = 'done';
    return {
      title: task.title,
      depth,
      complexity: task.complexity,
      kind: 'implemented',
      passed: loop.outcome === 'passed',
      summary: `work loop ${loop.outcome} after ${loop.iterations} iteration(s)`,
      children: [],
    };
  }
  const implemented = await acts.implementTask({ task, failTask: input.failTask });
  state = 'done';
  return {
    title: task.title,
    depth,
    complexity: task.complexity,
    kind: 'implemented',
    passed: true,
    summary: implemented.summary,
    children: [],
  };
}
