import { Command } from 'commander';

import { printJson, type Io } from '../output.js';
import { withTemporalOptions, type TemporalOptions } from '../temporal-options.js';

import { withClient, type JsonOption } from './client.js';

export function cancelCommand(io: Io): Command {
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
