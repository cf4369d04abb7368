import type { Command } from 'commander';

import type { Io } from './output.js';

/**
 * One top-level command as `headway --help` lists it, and how to load it. Loading a command's
 * module pulls in what it runs (zod, the Temporal SDK, PGlite...), which costs a second or more, so
 * the program loads only the command named on the command line; the rest stay stubs built from
 * this table. `term` and the one-line `summary` are what the list shows (the command's own
 * `--help` has the full description); command-index.test.ts checks `term` against the real command.
 */
export interface CommandEntry {
  readonly name: string;
  readonly term: string;
  readonly summary: string;
  readonly load: (io: Io) => Promise<Command>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'up',
    term: 'up [options]',
    summary: 'start the local stack and the copilot',
    load: async (io) => (await import('./stack.js')).upCommand(io),
  },
  {
    name: 'down',
    term: 'down [options]',
    summary: 'stop the local stack; data is kept',
    load: async (io) => (await import('./stack.js')).downCommand(io),
  },
  {
    name: 'ps',
    term: 'ps [options]',
    summary: 'show the local stack’s services and their health',
    load: async (io) => (await import('./stack.js')).psCommand(io),
  },
  {
    name: 'logs',
    term: 'logs [options] [service]',
    summary: 'show the logs of one service, or of all',
    load: async (io) => (await import('./stack.js')).logsCommand(io),
  },
  {
    name: 'doctor',
    term: 'doctor [options]',
    summary: 'check what Headway needs; installs nothing',
    load: async (io) => (await import('./doctor.js')).doctorCommand(io),
  },
  {
    name: 'install',
    term: 'install [options] [binary]',
    summary: 'install the Temporal CLI and Prometheus (cluster: the server binaries)',
    load: async (io) => (await import('./doctor.js')).installCommand(io),
  },
  {
    name: 'schema',
    term: 'schema',
    summary: "the cluster profile's database schemas",
    load: async (io) => (await import('./schema.js')).schemaCommand(io),
  },
  {
    name: 'render',
    term: 'render [options] <target>',
    summary: 'write the tested cluster for Compose, Helm, ECS or Render',
    load: async (io) => (await import('./render.js')).renderCommand(io),
  },
  {
    name: 'plan',
    term: 'plan [options]',
    summary: 'size a cluster for a target workflow rate',
    load: async (io) => (await import('./render.js')).planCommand(io),
  },
  {
    name: 'signals',
    term: 'signals [options]',
    summary: 'collect every signal once and evaluate it',
    load: async (io) => (await import('./signals.js')).signalsCommand(io),
  },
  {
    name: 'record',
    term: 'record [options]',
    summary: 'record signals as a trace for `headway replay`',
    load: async (io) => (await import('./record.js')).recordCommand(io),
  },
  {
    name: 'replay',
    term: 'replay [options] <trace>',
    summary: 'run the state machine over a recorded trace',
    load: async (io) => (await import('./replay.js')).replayCommand(io),
  },
  {
    name: 'worker',
    term: 'worker [options]',
    summary: 'run the sample workflows and activities',
    load: async (io) => (await import('./worker.js')).workerCommand(io),
  },
  {
    name: 'workflow',
    term: 'workflow',
    summary: 'start, inspect and control workflows',
    load: async (io) => (await import('./workflow/index.js')).workflowCommand(io),
  },
  {
    name: 'bench',
    term: 'bench',
    summary: 'benchmark a Temporal cluster (docs/bench.md)',
    load: async (io) => (await import('./bench.js')).benchCommand(io),
  },
  {
    name: 'status',
    term: 'status [options]',
    summary: 'print the copilot’s current verdict',
    load: async (io) => (await import('./status.js')).statusCommand(io),
  },
  {
    name: 'copilot',
    term: 'copilot',
    summary: 'run the copilot’s worker, its API, or both',
    load: async (io) => (await import('./copilot.js')).copilotCommand(io),
  },
  {
    name: 'kb',
    term: 'kb',
    summary: 'search the runbook knowledge base',
    load: async (io) => (await import('./kb.js')).kbCommand(io),
  },
  {
    name: 'scenario',
    term: 'scenario',
    summary: 'check the copilot against known conditions',
    load: async (io) => (await import('./scenario.js')).scenarioCommand(io),
  },
];

/**
 * The top-level command `argv` (as process.argv: node, script, args...) names, if any: the first
 * argument that is not an option, or the one after `help`. Headway has no global option that takes
 * a value, so the first operand is the command.
 */
export function commandNamed(argv: readonly string[]): CommandEntry | undefined {
  const operands = argv.slice(2).filter((a) => !a.startsWith('-'));
  const name = operands[0] === 'help' ? operands[1] : operands[0];
  return COMMANDS.find((c) => c.name === name);
}

/**
 * Words people reach for that name no command here, with where they lead. Commander's spelling
 * suggestion would send `deploy` to `replay`.
 */
const MISNAMED: Readonly<Record<string, string>> = {
  deploy:
    'Headway writes deployment files and applies nothing: `headway render compose|helm|ecs|render`, then apply them with your tool',
  start: '`headway up` starts the local stack',
  stop: '`headway down` stops the local stack',
  health: '`headway status` prints the copilot’s verdict; `headway ps` the services’ health',
  check: '`headway doctor` checks what Headway needs',
};

/** Where a misnamed first operand leads (`headway deploy` → render), or undefined. */
export function misnamedCommand(
  argv: readonly string[],
): { word: string; hint: string } | undefined {
  const word = argv.slice(2).find((a) => !a.startsWith('-'));
  if (word === undefined || !Object.hasOwn(MISNAMED, word)) return undefined;
  return { word, hint: MISNAMED[word]! };
}
