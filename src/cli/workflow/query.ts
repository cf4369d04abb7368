import { QueryNotRegisteredError } from '@temporalio/client';
import { Command } from 'commander';

import { ErrorCode, HeadwayError } from '../../errors.js';
import { printJson, type Io } from '../output.js';
import { parsePayload, withTemporalOptions, type TemporalOptions } from '../temporal-options.js';

import { withClient, type JsonOption } from './client.js';

interface QueryOptions extends TemporalOptions, JsonOption {
  timeout: number;
}

export function queryCommand(io: Io): Command {
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
