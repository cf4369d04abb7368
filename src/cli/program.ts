import { Command, Help } from 'commander';

import { COMMANDS, commandNamed } from './command-index.js';
import { environmentHelp } from './env-help.js';
import type { Io } from './output.js';

/**
 * The program for one invocation: the command `argv` names is loaded and complete, every other
 * command is a stub that only lists itself in `headway --help`, so `headway --version` and
 * `headway --help` load none of them and `headway status` loads only what status uses.
 * `argv` undefined loads every command (tests that inspect the whole tree).
 */
export async function buildProgram(io: Io, argv?: readonly string[]): Promise<Command> {
  const wanted = argv === undefined ? undefined : commandNamed(argv);
  const defaultHelp = new Help();
  const program = new Command('headway')
    .description(
      'Tells you whether a Temporal cluster is making forward progress on workflows, and proves it.\n' +
        'Start with `headway up` (a local Temporal cluster with Prometheus), then `headway ps`.',
    )
    .version('0.1.0', '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    // A stub has no options or arguments of its own; the list shows the real command's term.
    .configureHelp({
      subcommandTerm: (cmd) =>
        COMMANDS.find((c) => c.name === cmd.name())?.term ?? defaultHelp.subcommandTerm(cmd),
    })
    .addHelpText('after', environmentHelp());
  for (const entry of COMMANDS) {
    if (argv !== undefined && entry !== wanted) {
      program.addCommand(new Command(entry.name).summary(entry.summary));
      continue;
    }
    const command = (await entry.load(io)).summary(entry.summary);
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
