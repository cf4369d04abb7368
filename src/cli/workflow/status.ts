import { setTimeout as delay } from 'node:timers/promises';

import type { WorkflowHandle } from '@temporalio/client';
import { Command } from 'commander';

import { ErrorCode, HeadwayError } from '../../errors.js';
import type { ConnectedClient } from '../../temporal/connection.js';
import { printJson, type Io } from '../output.js';
import { withTemporalOptions, type TemporalOptions } from '../temporal-options.js';

import { withClient, type JsonOption } from './client.js';
import {
  NO_PROGRESS_QUERY,
  clock,
  describeJson,
  now,
  outcomeJson,
  outcomeOf,
  outcomeText,
  progressText,
  queryProgress,
} from './outcome.js';

interface StatusOptions extends TemporalOptions, JsonOption {
  runId?: string;
  follow?: boolean;
  interval: number;
}

export function statusCommand(io: Io): Command {
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
