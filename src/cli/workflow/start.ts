import { randomUUID } from 'node:crypto';

import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { Command } from 'commander';

import type { HeadwayConfig } from '../../config/schema.js';
import { ErrorCode, HeadwayError } from '../../errors.js';
import {
  SAMPLE_INPUTS,
  SampleWorkflow,
  inputProblems,
  type ActivityDefaults,
  type SampleWorkflowType,
} from '../../samples/types.js';
import { printJson, type Io } from '../output.js';
import { parsePayload, withTemporalOptions, type TemporalOptions } from '../temporal-options.js';

import { withClient, type JsonOption } from './client.js';

interface StartOptions extends TemporalOptions, JsonOption {
  id?: string;
  taskQueue?: string;
  executionTimeout?: number;
  runTimeout?: number;
  /** false with --no-check. */
  check?: boolean;
}

const SAMPLE_TYPES = new Set<string>(Object.values(SampleWorkflow));

export function startCommand(io: Io): Command {
  return withTemporalOptions(new Command('start'))
    .description('Start a workflow and print its id (it runs on whichever worker polls the queue).')
    .argument('<type>', `workflow type, e.g. ${[...SAMPLE_TYPES].slice(0, 3).join(', ')}`)
    .argument('[args...]', 'workflow arguments (JSON); the samples take one object')
    .option('--id <id>', 'workflow id (default: TYPE-<random>)')
    .option(
      '-q, --task-queue <queue>',
      'task queue (default: $TEMPORAL_TASK_QUEUE or headway-samples)',
    )
    .option('--execution-timeout <seconds>', 'bound on the whole execution', Number)
    .option('--run-timeout <seconds>', 'bound on one run', Number)
    .option('--json', 'print the started workflow as JSON')
    .option(
      '--no-check',
      "send a sample type's arguments as they are: not checked against the sample's input and " +
        "no activity defaults added (for a workflow of your own that shares a sample's name)",
    )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        `  headway workflow start workLoop '{"step":"pass"}' --id my-loop\n` +
        `  headway workflow start fanOutFanIn '{"values":[1,2,3,4],"batchSize":2}'\n` +
        'For the samples, activity timeouts and retry policy default to temporal.timeouts and\n' +
        'temporal.retry from headway.yml unless the input has an `activity` object.',
    )
    .action(async (type: string, rawArgs: string[], options: StartOptions) => {
      await withClient(
        options,
        [
          [['temporal', 'task_queue'], options.taskQueue],
          [['temporal', 'timeouts', 'workflow_execution_s'], options.executionTimeout],
          [['temporal', 'timeouts', 'workflow_run_s'], options.runTimeout],
        ],
        options.id,
        async ({ client, config: connection }, config) => {
          const workflowId = options.id ?? `${type}-${randomUUID().slice(0, 8)}`;
          const taskQueue = config.temporal.task_queue;
          const { timeouts } = config.temporal;
          const handle = await client.workflow.start(type, {
            taskQueue,
            workflowId,
            args:
              options.check === false
                ? rawArgs.map(parsePayload)
                : checkedSampleArgs(type, sampleArgs(type, rawArgs.map(parsePayload), config)),
            ...(timeouts.workflow_execution_s === undefined
              ? {}
              : { workflowExecutionTimeout: timeouts.workflow_execution_s * 1_000 }),
            ...(timeouts.workflow_run_s === undefined
              ? {}
              : { workflowRunTimeout: timeouts.workflow_run_s * 1_000 }),
          });
          if (options.json === true) {
            printJson(io, {
              workflow_id: workflowId,
              run_id: handle.firstExecutionRunId,
              type,
              task_queue: taskQueue,
              namespace: connection.namespace,
            });
          } else {
            io.out(
              `Started ${type} workflow ${workflowId} (run ${handle.firstExecutionRunId}) on task ` +
                `queue ${taskQueue}, namespace ${connection.namespace}.\n` +
                `Follow it: headway workflow status ${workflowId} --follow\n`,
            );
          }
          if ((await pollerCount(client, connection.namespace, taskQueue)) === 0) {
            // The most common reason a started workflow never moves: no worker on its queue.
            io.err(
              `note: no worker has polled task queue ${taskQueue} (namespace ` +
                `${connection.namespace}) lately: the workflow waits until one does ` +
                '(`headway worker` runs the samples)\n',
            );
          }
        },
      );
    });
}

/**
 * The samples take one object; with no argument they get `{}` (their defaults), and an input
 * without `activity` gets the configured activity timeouts and retry policy.
 */
export function sampleArgs(type: string, args: unknown[], config: HeadwayConfig): unknown[] {
  if (!SAMPLE_TYPES.has(type)) return args;
  const [input = {}, ...rest] = args;
  if (rest.length > 0 || typeof input !== 'object' || input === null || Array.isArray(input)) {
    return args;
  }
  if ('activity' in input) return [input];
  return [{ ...input, activity: activityDefaults(config) }];
}

/**
 * A sample's arguments, checked against its input before anything starts: a mistake is a usage
 * error here, not a workflow that fails a moment later. Other types pass as they are.
 */
export function checkedSampleArgs(type: string, args: unknown[]): unknown[] {
  if (!SAMPLE_TYPES.has(type)) return args;
  const problems =
    args.length > 1
      ? [`the samples take one object, not ${String(args.length)} arguments`]
      : inputProblems(SAMPLE_INPUTS[type as SampleWorkflowType].safeParse(args[0]).error);
  if (problems.length > 0) {
    throw new HeadwayError(ErrorCode.Usage, `invalid input for the ${type} sample`, {
      details: problems,
      hint: `docs/samples.md shows each sample's input; --no-check sends it as is`,
    });
  }
  return args;
}

/** Workers that polled a queue's workflow tasks lately, as the server saw; undefined if it cannot say. */
async function pollerCount(
  client: Client,
  namespace: string,
  taskQueue: string,
): Promise<number | undefined> {
  try {
    const answer = await client.workflowService.describeTaskQueue({
      namespace,
      taskQueue: {
        name: taskQueue,
        kind: proto.temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL,
      },
      taskQueueType: proto.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    return answer.pollers?.length ?? 0;
  } catch {
    // A hint only: a server or role that does not answer it is no reason to fail a started workflow.
    return undefined;
  }
}

function activityDefaults(config: HeadwayConfig): ActivityDefaults {
  const { timeouts, retry } = config.temporal;
  return {
    startToCloseTimeoutMs: Math.round(timeouts.activity_start_to_close_s * 1_000),
    scheduleToCloseTimeoutMs: Math.round(timeouts.activity_schedule_to_close_s * 1_000),
    heartbeatTimeoutMs: Math.round(timeouts.activity_heartbeat_s * 1_000),
    retry: {
      initialIntervalMs: Math.round(retry.initial_interval_s * 1_000),
      backoffCoefficient: retry.backoff_coefficient,
      maximumIntervalMs: Math.round(retry.maximum_interval_s * 1_000),
      maximumAttempts: retry.maximum_attempts,
    },
  };
}
