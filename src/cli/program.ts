import { Command } from 'commander';

import { benchCommand } from './bench.js';
import { copilotCommand } from './copilot.js';
import { doctorCommand, installCommand } from './doctor.js';
import { environmentHelp } from './env-help.js';
import { kbCommand } from './kb.js';
import type { Io } from './output.js';
import { scenarioCommand } from './scenario.js';
import { schemaCommand } from './schema.js';
import { recordCommand } from './record.js';
import { planCommand, renderCommand } from './render.js';
import { replayCommand } from './replay.js';
import { signalsCommand } from './signals.js';
import { downCommand, logsCommand, psCommand, upCommand } from './stack.js';
import { statusCommand } from './status.js';
import { workerCommand } from './worker.js';
import { workflowCommand } from './workflow/index.js';

export function buildProgram(io: Io): Command {
  const program = new Command('headway')
    .description(
      'Tells you whether a Temporal cluster is making forward progress on workflows, and proves it.\n' +
        'Start with `headway up` (a local Temporal cluster with Prometheus), then `headway ps`.',
    )
    .version('0.1.0', '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .addHelpText('after', environmentHelp());
  for (const command of [
    upCommand(io),
    downCommand(io),
    psCommand(io),
    logsCommand(io),
    doctorCommand(io),
    installCommand(io),
    schemaCommand(io),
    signalsCommand(io),
    recordCommand(io),
    replayCommand(io),
    workerCommand(io),
    workflowCommand(io),
    benchCommand(io),
    statusCommand(io),
    copilotCommand(io),
    kbCommand(io),
    scenarioCommand(io),
    renderCommand(io),
    planCommand(io),
  ]) {
    // addCommand does not copy these settings to the subcommand, so set them on each (and on
    // nested ones, such as `copilot run`).
    const configure = (c: Command): void => {
      c.exitOverride()
        .showHelpAfterError('(run with --help for usage)')
        .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
      for (const sub of c.commands) configure(sub);
    };
    configure(command);
    program.addCommand(command);
  }
  return program;
}
