import { Command } from 'commander';

import { printJson, type Io } from '../output.js';
import { withTemporalOptions, type TemporalOptions } from '../temporal-options.js';

import { withClient, type JsonOption } from './client.js';

interface TerminateOptions extends TemporalOptions, JsonOption {
  reason: string;
}

export function terminateCommand(io: Io): Command {
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
