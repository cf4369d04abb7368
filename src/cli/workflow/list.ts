import { Command } from 'commander';

import { ErrorCode, HeadwayError } from '../../errors.js';
import { formatTable, printJson, type Io } from '../output.js';
import { withTemporalOptions, type TemporalOptions } from '../temporal-options.js';

import { withClient, type JsonOption } from './client.js';

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

export function listCommand(io: Io): Command {
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
