import { Command } from 'commander';

import { printJson, type Io } from '../output.js';
import { parsePayload, withTemporalOptions, type TemporalOptions } from '../temporal-options.js';

import { withClient, type JsonOption } from './client.js';

export function signalCommand(io: Io): Command {
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
