import { Command } from 'commander';

import type { Io } from '../output.js';

import { cancelCommand } from './cancel.js';
import { listCommand } from './list.js';
import { queryCommand } from './query.js';
import { signalCommand } from './signal.js';
import { startCommand } from './start.js';
import { statusCommand } from './status.js';
import { terminateCommand } from './terminate.js';

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
