import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';

import {
  QueryNotRegisteredError,
  WorkflowFailedError,
  type WorkflowExecutionDescription,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure, TemporalFailure } from '@temporalio/common';
import { Command } from 'commander';

import type { HeadwayConfig } from '../config/schema.js';
import { ErrorCode, HeadwayError, errorMessage } from '../errors.js';
import { SampleWorkflow, type ActivityDefaults } from '../samples/types.js';
import {
  connectClient,
  explainTemporalError,
  type ConnectedClient,
} from '../temporal/connection.js';

import { formatTable, printJson, type Io } from './output.js';
import {
  loadTemporalCommandConfig,
  parsePayload,
  withTemporalOptions,
  type TemporalOptions,
} from './temporal-options.js';

type Flags = readonly (readonly [readonly string[], unknown])[];

interface JsonOption {
  json?: boolean;
}

/** `headway workflow …`: start, list, status, signal, query, cancel, terminate. */
export function workflowCommand(io: Io): Command {
  const group = new Command('workflow')
    .description(
      'Start, inspect and control workflows (the samples `headway worker` runs, or any other type).',
    )
    .addHelpText(
      'after',
      '\nPayloads (ARGS, PAYLOAD) are JSON; text that is not valid JSON is sent as a string.\n' +
        'Connection: --address/--namespace, TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,\n' +
        'TEMPORAL_TLS, temporal.* in headway.yml, or a temporal.toml profile (--profile).',
    );
  for (const sub of [
    startCommand(io),
    listCommand(io),
    statusCommand(io),
    signalCommand(io),
    queryCommand(io),
    cancelCommand(io),
    terminateCommand(io),
  ]) {
    sub
      .exitOverride()
      .showHelpAfterError('(run with --help for usage)')
      .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
    group.addCommand(sub);
  }
  return group;
}

/**
 * Loads config, connects (failing fast when the server is down) and runs `fn`, turning SDK errors
 * into HeadwayErrors that name the workflow and the namespace.
 */
async function withClient<T>(
  options: TemporalOptions,
  flags: Flags,
  workflowId: string | undefined,
  fn: (connected: ConnectedClient, config: HeadwayConfig) => Promise<T>,
): Promise<T> {
  const { config, connection } = loadTemporalCommandConfig(options, flags);
  const connected = await connectClient(connection);
  try {
    return await fn(connected, config);
  } catch (err) {
    throw await explainTemporalError(err, {
      connected,
      ...(workflowId === undefined ? {} : { workflowId }),
    });
  } finally {
    await connected.close();
  }
}

// --- start -------------------------------------------------------------------------------------

interface StartOptions extends TemporalOptions, JsonOption {
  id?: string;
  taskQueue?: string;
  executionTimeout?: number;
  runTimeout?: number;
}

const SAMPLE_TYPES = new Set<string>(Object.values(SampleWorkflow));

function startCommand(io: Io): Command {
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
            args: sampleArgs(type, rawArgs.map(parsePayload), config),
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

// --- list --------------------------------------------------------------------------------------

interface ListOptions extends TemporalOptions, JsonOption {
  query?: string;
  status?: string;
  type?: string;
  limit: number;
}

const STATUS_NAMES: Readonly<Record<string, string>> = {
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  canceled: 'Canceled',
  cancelled: 'Canceled',
  terminated: 'Terminated',
  timed_out: 'TimedOut',
  timedout: 'TimedOut',
  continued_as_new: 'ContinuedAsNew',
  continuedasnew: 'ContinuedAsNew',
};

function listCommand(io: Io): Command {
  return withTemporalOptions(new Command('list'))
    .description('List workflows of the namespace, newest first.')
    .option('--query <query>', 'visibility query, e.g. \'WorkflowType = "workLoop"\'')
    .option(
      '--status <status>',
      'running, completed, failed, cancelled, terminated, timed_out, continued_as_new',
    )
    .option('--type <type>', 'only this workflow type')
    .option('--limit <n>', 'at most this many (default 20)', Number, 20)
    .option('--json', 'print as JSON')
    .action(async (options: ListOptions) => {
      const query = buildListQuery(options);
      if (!Number.isInteger(options.limit) || options.limit < 1) {
        throw new HeadwayError(ErrorCode.Usage, '--limit must be a positive whole number');
      }
      await withClient(options, [], undefined, async ({ client, config }) => {
        const rows = [];
        for await (const w of client.workflow.list(query === undefined ? {} : { query })) {
          rows.push({
            workflow_id: w.workflowId,
            run_id: w.runId,
            type: w.type,
            status: w.status.name,
            task_queue: w.taskQueue,
            start_time: w.startTime.toISOString(),
            close_time: w.closeTime?.toISOString() ?? null,
          });
          if (rows.length >= options.limit) break;
        }
        if (options.json === true) {
          printJson(io, rows);
        } else if (rows.length === 0) {
          io.out(
            `No workflows${query === undefined ? '' : ` match ${query}`} in namespace ${config.namespace}.\n`,
          );
        } else {
          io.out(
            formatTable(
              ['workflow id', 'type', 'status', 'started', 'closed'],
              rows.map((r) => [
                r.workflow_id,
                r.type,
                r.status,
                shortTime(r.start_time),
                r.close_time === null ? '-' : shortTime(r.close_time),
              ]),
            ),
          );
        }
      });
    });
}

export function buildListQuery(options: {
  query?: string;
  status?: string;
  type?: string;
}): string | undefined {
  const parts: string[] = [];
  if (options.query !== undefined && options.query.trim() !== '') parts.push(`(${options.query})`);
  if (options.status !== undefined) {
    const name = STATUS_NAMES[options.status.toLowerCase()];
    if (name === undefined) {
      throw new HeadwayError(ErrorCode.Usage, `unknown status ${JSON.stringify(options.status)}`, {
        hint: 'use running, completed, failed, cancelled, terminated, timed_out or continued_as_new',
      });
    }
    parts.push(`ExecutionStatus = "${name}"`);
  }
  if (options.type !== undefined) parts.push(`WorkflowType = ${JSON.stringify(options.type)}`);
  return parts.length === 0 ? undefined : parts.join(' AND ');
}

function shortTime(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

// --- status ------------------------------------------------------------------------------------

interface StatusOptions extends TemporalOptions, JsonOption {
  runId?: string;
  follow?: boolean;
  interval: number;
}

/** How a closed workflow ended. */
interface Outcome {
  readonly status: string;
  readonly result?: unknown;
  readonly failure?: { readonly type: string; readonly message: string };
}

function statusCommand(io: Io): Command {
  return withTemporalOptions(new Command('status'))
    .description(
      'Show a workflow: status, timing, pending activities, its `progress` query when it has one, ' +
        'and how it ended. --follow prints a line per change until it closes.',
    )
    .argument('<id>', 'workflow id')
    .option('--run-id <id>', 'a specific run (default: the latest)')
    .option(
      '-f, --follow',
      'poll until the workflow closes; exit 0 if it completed, 1 if it failed, was cancelled, terminated or timed out',
    )
    .option('--interval <ms>', 'polling interval with --follow (default 1000)', Number, 1_000)
    .option('--json', 'print as JSON (with --follow: one JSON object per line)')
    .action(async (id: string, options: StatusOptions) => {
      if (!Number.isFinite(options.interval) || options.interval < 100) {
        throw new HeadwayError(ErrorCode.Usage, '--interval must be at least 100 (milliseconds)');
      }
      await withClient(options, [], id, async (connected) => {
        const handle = connected.client.workflow.getHandle(id, options.runId);
        if (options.follow === true) {
          process.exitCode = await follow(io, connected, handle, options);
        } else {
          await showStatus(io, connected, handle, options.json === true);
        }
      });
    });
}

async function showStatus(
  io: Io,
  connected: ConnectedClient,
  handle: WorkflowHandle,
  json: boolean,
): Promise<void> {
  const description = await handle.describe();
  const running = description.status.name === 'RUNNING';
  const progress = running ? await queryProgress(connected, handle) : undefined;
  const outcome = running ? undefined : await outcomeOf(handle, description);
  const pending = description.raw.pendingActivities?.length ?? 0;
  if (json) {
    printJson(io, {
      ...describeJson(description, connected.config.namespace),
      pending_activities: pending,
      progress: progress ?? null,
      ...(outcome === undefined ? {} : outcomeJson(outcome)),
    });
    return;
  }
  const rows: [string, string][] = [
    ['workflow', `${description.workflowId} (${description.type})`],
    ['namespace', connected.config.namespace],
    ['status', description.status.name],
    ['run', description.runId],
    ['task queue', description.taskQueue],
    ['started', description.startTime.toISOString()],
    ['closed', description.closeTime?.toISOString() ?? '-'],
    [
      'history',
      `${description.historyLength} events, ${pending} pending activit${pending === 1 ? 'y' : 'ies'}`,
    ],
  ];
  if (progress !== undefined) rows.push(['progress', progressText(progress)]);
  if (outcome?.failure !== undefined) {
    rows.push(['failure', `${outcome.failure.type}: ${outcome.failure.message}`]);
  } else if (outcome !== undefined && 'result' in outcome) {
    rows.push(['result', JSON.stringify(outcome.result) ?? 'none']);
  }
  for (const [k, v] of rows) io.out(`${k.padEnd(11)} ${v}\n`);
}

/** Polls until the workflow closes; returns the exit code. */
async function follow(
  io: Io,
  connected: ConnectedClient,
  handle: WorkflowHandle,
  options: StatusOptions,
): Promise<number> {
  const json = options.json === true;
  let last = '';
  let progressSupported = true;
  let headerShown = false;
  for (;;) {
    const description = await handle.describe();
    if (!headerShown && !json) {
      io.out(
        `Following ${description.type} workflow ${description.workflowId} in namespace ` +
          `${connected.config.namespace} (task queue ${description.taskQueue}); Ctrl-C stops following.\n`,
      );
      headerShown = true;
    }
    const status = description.status.name;
    if (status !== 'RUNNING') {
      const outcome = await outcomeOf(handle, description);
      if (json) {
        io.out(
          `${JSON.stringify({ time: now(), workflow_id: description.workflowId, ...outcomeJson(outcome) })}\n`,
        );
      } else {
        io.out(`${clock()}  ${status.padEnd(9)}  ${outcomeText(outcome)}\n`);
      }
      return status === 'COMPLETED' ? 0 : 1;
    }
    let progress: unknown;
    if (progressSupported) {
      progress = await queryProgress(connected, handle);
      if (progress === NO_PROGRESS_QUERY) {
        progressSupported = false;
        progress = undefined;
      }
    }
    const line = progress === undefined ? '' : progressText(progress);
    const key = `${status}|${line}`;
    if (key !== last) {
      last = key;
      if (json) {
        io.out(
          `${JSON.stringify({ time: now(), workflow_id: description.workflowId, status, progress: progress ?? null })}\n`,
        );
      } else {
        io.out(`${clock()}  ${status.padEnd(9)}  ${line === '' ? '-' : line}\n`);
      }
    }
    await delay(options.interval);
  }
}

const NO_PROGRESS_QUERY = Symbol('no progress query');

/**
 * The `progress` query, bounded by a short deadline: no worker means no answer, and status must
 * not hang on that. Undefined when there was no answer this time.
 */
async function queryProgress(connected: ConnectedClient, handle: WorkflowHandle): Promise<unknown> {
  try {
    return await connected.connection.withDeadline(Date.now() + 3_000, () =>
      handle.query<unknown>('progress'),
    );
  } catch (err) {
    if (err instanceof QueryNotRegisteredError) return NO_PROGRESS_QUERY;
    return undefined;
  }
}

function progressText(progress: unknown): string {
  if (typeof progress === 'object' && progress !== null && 'message' in progress) {
    return String(progress.message);
  }
  return JSON.stringify(progress) ?? '';
}

async function outcomeOf(
  handle: WorkflowHandle,
  description: WorkflowExecutionDescription,
): Promise<Outcome> {
  const status = description.status.name;
  try {
    // The run has closed, so this returns (or throws) at once.
    const result: unknown = await handle.result();
    return { status, result };
  } catch (err) {
    if (err instanceof WorkflowFailedError) {
      return { status, failure: failureOf(err.cause ?? err) };
    }
    return { status, failure: { type: 'UNKNOWN', message: errorMessage(err) } };
  }
}

function failureOf(err: Error): { type: string; message: string } {
  // The innermost application failure says most (e.g. INVALID_INPUT from a sample).
  let e: unknown = err;
  let best: { type: string; message: string } = { type: err.name, message: err.message };
  for (let depth = 0; depth < 10 && e instanceof Error; depth++) {
    if (e instanceof ApplicationFailure) {
      best = { type: e.type ?? 'Error', message: e.message };
    } else if (e instanceof TemporalFailure && depth === 0) {
      best = { type: e.name, message: e.message };
    }
    e = e.cause;
  }
  return best;
}

function describeJson(d: WorkflowExecutionDescription, namespace: string) {
  return {
    workflow_id: d.workflowId,
    run_id: d.runId,
    type: d.type,
    namespace,
    status: d.status.name,
    task_queue: d.taskQueue,
    start_time: d.startTime.toISOString(),
    close_time: d.closeTime?.toISOString() ?? null,
    history_length: d.historyLength,
  };
}

function outcomeJson(outcome: Outcome): Record<string, unknown> {
  return {
    status: outcome.status,
    ...('result' in outcome ? { result: outcome.result ?? null } : {}),
    ...(outcome.failure === undefined ? {} : { failure: outcome.failure }),
  };
}

function outcomeText(outcome: Outcome): string {
  if (outcome.failure !== undefined) return `${outcome.failure.type}: ${outcome.failure.message}`;
  return `result: ${JSON.stringify(outcome.result) ?? 'none'}`;
}

function now(): string {
  return new Date().toISOString();
}

function clock(): string {
  return new Date().toISOString().slice(11, 19);
}

// --- signal, query, cancel, terminate --------------------------------------------------------

function signalCommand(io: Io): Command {
  return withTemporalOptions(new Command('signal'))
    .description('Send a signal, e.g. pause, resume, injectInstruction, escalate, stop.')
    .argument('<id>', 'workflow id')
    .argument('<name>', 'signal name')
    .argument('[payload]', 'signal argument (JSON, or text)')
    .option('--json', 'print the result as JSON')
    .action(
      async (
        id: string,
        name: string,
        payload: string | undefined,
        options: TemporalOptions & JsonOption,
      ) => {
        await withClient(options, [], id, async ({ client, config }) => {
          const args = payload === undefined ? [] : [parsePayload(payload)];
          await client.workflow.getHandle(id).signal(name, ...args);
          if (options.json === true) {
            printJson(io, { workflow_id: id, namespace: config.namespace, signal: name, args });
          } else {
            io.out(`Sent signal ${name} to workflow ${id} (namespace ${config.namespace}).\n`);
          }
        });
      },
    );
}

interface QueryOptions extends TemporalOptions, JsonOption {
  timeout: number;
}

function queryCommand(io: Io): Command {
  return withTemporalOptions(new Command('query'))
    .description(
      'Ask a running or closed workflow a query, e.g. currentState, progress, lastResult.',
    )
    .argument('<id>', 'workflow id')
    .argument('<name>', 'query name')
    .argument('[args...]', 'query arguments (JSON, or text)')
    .option(
      '--timeout <seconds>',
      'how long to wait for a worker to answer (default 10)',
      Number,
      10,
    )
    .option('--json', 'always print JSON (text answers are otherwise printed as is)')
    .action(async (id: string, name: string, rawArgs: string[], options: QueryOptions) => {
      await withClient(options, [], id, async ({ client, connection, config }) => {
        let value: unknown;
        try {
          value = await connection.withDeadline(Date.now() + options.timeout * 1_000, () =>
            client.workflow
              .getHandle(id)
              .query<unknown, unknown[]>(name, ...rawArgs.map(parsePayload)),
          );
        } catch (err) {
          if (err instanceof QueryNotRegisteredError) {
            throw new HeadwayError(
              ErrorCode.QueryFailed,
              `workflow ${id} in namespace ${config.namespace} does not answer query ${name}`,
              { details: [err.message] },
            );
          }
          if (isDeadline(err)) {
            throw new HeadwayError(
              ErrorCode.QueryFailed,
              `no worker answered query ${name} for workflow ${id} (namespace ${config.namespace}) within ${options.timeout} s`,
              {
                hint: 'is a worker polling its task queue? `headway workflow status ID` shows the queue; `headway worker` runs the samples',
              },
            );
          }
          throw err;
        }
        if (typeof value === 'string' && options.json !== true) io.out(`${value}\n`);
        else printJson(io, value ?? null);
      });
    });
}

function isDeadline(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; depth++) {
    if ((e as { code?: unknown }).code === 4 || /deadline/i.test(e.message)) return true;
    e = e.cause;
  }
  return false;
}

function cancelCommand(io: Io): Command {
  return withTemporalOptions(new Command('cancel'))
    .description('Request cancellation: the workflow may clean up, then closes as CANCELLED.')
    .argument('<id>', 'workflow id')
    .option('--json', 'print the result as JSON')
    .action(async (id: string, options: TemporalOptions & JsonOption) => {
      await withClient(options, [], id, async ({ client, config }) => {
        await client.workflow.getHandle(id).cancel();
        if (options.json === true) {
          printJson(io, { workflow_id: id, namespace: config.namespace, requested: 'cancel' });
        } else {
          io.out(`Requested cancellation of workflow ${id} (namespace ${config.namespace}).\n`);
        }
      });
    });
}

interface TerminateOptions extends TemporalOptions, JsonOption {
  reason: string;
}

function terminateCommand(io: Io): Command {
  return withTemporalOptions(new Command('terminate'))
    .description('Terminate at once: no cleanup runs in the workflow. Prefer cancel.')
    .argument('<id>', 'workflow id')
    .requiredOption('--reason <text>', 'why (recorded in the history)')
    .option('--json', 'print the result as JSON')
    .action(async (id: string, options: TerminateOptions) => {
      await withClient(options, [], id, async ({ client, config }) => {
        await client.workflow.getHandle(id).terminate(options.reason);
        if (options.json === true) {
          printJson(io, {
            workflow_id: id,
            namespace: config.namespace,
            terminated: true,
            reason: options.reason,
          });
        } else {
          io.out(`Terminated workflow ${id} (namespace ${config.namespace}): ${options.reason}\n`);
        }
      });
    });
}
