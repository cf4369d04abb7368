import { CommanderError } from 'commander';

import { misnamedCommand } from '../cli/command-index.js';
import { buildProgram } from '../cli/program.js';
import { processIo } from '../cli/output.js';
import { HeadwayError, errorMessage } from '../errors.js';
import { DAEMON_COMMAND } from '../stack/daemon-command.js';

/** The only place that decides how the process exits. */
async function main(argv: readonly string[]): Promise<number> {
  if (argv[2] === DAEMON_COMMAND) {
    const { runDaemon } = await import('../stack/daemon.js');
    await runDaemon();
    return 0;
  }
  const misnamed = misnamedCommand(argv);
  if (misnamed !== undefined) {
    processIo.err(`error: unknown command '${misnamed.word}'\nfix: ${misnamed.hint}\n`);
    return 2;
  }
  const program = (await buildProgram(processIo, argv)).exitOverride();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has printed the message (and --help/--version output) already.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof HeadwayError) {
      processIo.err(`error[${err.code}]: ${err.message}\n`);
      for (const line of err.details) processIo.err(`  ${line}\n`);
      if (err.hint !== undefined) processIo.err(`fix: ${err.hint}\n`);
      return err.code === 'USAGE' ? 2 : 1;
    }
    processIo.err(`error[INTERNAL]: ${errorMessage(err)}\n`);
    if (err instanceof Error && err.stack !== undefined) processIo.err(`${err.stack}\n`);
    processIo.err('This is a bug in Headway; please report it with the output above.\n');
    return 70;
  }
}

const code = await main(process.argv);
// Flush stdout before exiting: a piped `--json` must not be cut short.
process.stdout.write('', () => process.exit(code));
