import { Command } from 'commander';
import { pino } from 'pino';

import type { HeadwayConfig } from '../config/schema.js';
import { ErrorCode, HeadwayError } from '../errors.js';
import { createRootLogger } from '../log/logger.js';
import { STACK_CONFIG_FILE_ENV, loadStackConfig } from '../stack/stack-config.js';
import { describeStore } from '../store/open.js';

import { loadCommandConfig, portFlag, withCommonOptions, type CommonOptions } from './common.js';
import { printJson, type Io } from './output.js';

interface CopilotOptions extends CommonOptions {
  copilotAddress?: string;
  namespace?: string;
  taskQueue?: string;
  prometheus?: string;
  loki?: string;
  storeUrl?: string;
  apiHost?: string;
  apiPort?: number;
  cadence?: number;
  clusterId?: string;
  json?: boolean;
}

function withCopilotOptions(command: Command, parts: { api: boolean; worker: boolean }): Command {
  withCommonOptions(command)
    .option(
      '--copilot-address <host:port>',
      'the copilot cluster (default: $HEADWAY_COPILOT_ADDRESS or the local stack’s copilot server)',
    )
    .option(
      '--namespace <ns>',
      'copilot namespace (default: $HEADWAY_COPILOT_NAMESPACE or default)',
    )
    .option('--cluster-id <id>', 'names the monitored cluster in workflow ids (default local)')
    .option(
      '--store-url <url>',
      'postgres:// URL of the store (default: $HEADWAY_STORE_URL, else PGlite in the state dir)',
    );
  if (parts.worker) {
    command
      .option('-q, --task-queue <queue>', 'copilot task queue (default headway-copilot)')
      .option(
        '--prometheus <url>',
        'Prometheus with the monitored cluster’s metrics (default: $HEADWAY_PROMETHEUS_URL or the local stack’s)',
      )
      .option(
        '--loki <url>',
        'Loki for log patterns (default: $HEADWAY_LOKI_URL; else the log file)',
      )
      .option('--cadence <seconds>', 'seconds between observations (default 30)', Number);
  }
  if (parts.api) {
    command
      .option('--api-host <host>', 'API listen address (default 127.0.0.1)')
      .option('--api-port <port>', 'API port (default 8081)', portFlag);
  }
  return command;
}

function copilotConfig(options: CopilotOptions, env: NodeJS.ProcessEnv): HeadwayConfig {
  const fromStack = env[STACK_CONFIG_FILE_ENV];
  if (fromStack !== undefined && fromStack !== '') return loadStackConfig(fromStack);
  rejectPasswordInArgv(options.storeUrl);
  return loadCommandConfig(options, [
    [['copilot', 'address'], options.copilotAddress],
    [['copilot', 'namespace'], options.namespace],
    [['copilot', 'task_queue'], options.taskQueue],
    [['copilot', 'cluster_id'], options.clusterId],
    [['copilot', 'cadence_s'], options.cadence],
    [['copilot', 'api', 'host'], options.apiHost],
    [['copilot', 'api', 'port'], options.apiPort],
    [['signals', 'prometheus_url'], options.prometheus],
    [['signals', 'loki_url'], options.loki],
    [['store', 'url'], options.storeUrl],
  ]).config;
}

/** argv is world-readable (`ps`): a store password given as a flag would be shown to every user. */
function rejectPasswordInArgv(url: string | undefined): void {
  if (url === undefined) return;
  let password: string;
  try {
    password = new URL(url).password;
  } catch {
    return; // the config schema reports a malformed URL, without echoing it
  }
  if (password === '') return;
  throw new HeadwayError(
    ErrorCode.Usage,
    '--store-url must not carry a password: every user can read it in `ps`',
    {
      hint: 'put the URL in HEADWAY_STORE_URL or store.url in headway.yml, or pass the password in PGPASSWORD',
    },
  );
}

/** Runs the parts until SIGINT/SIGTERM (or a fatal worker error), then stops them in order. */
async function runParts(
  io: Io,
  options: CopilotOptions,
  parts: { worker: boolean; api: boolean; startWorkflows: boolean },
): Promise<void> {
  const config = copilotConfig(options, process.env);
  const logger = createRootLogger({
    component: 'copilot',
    level: config.log_level,
    pid: true,
    destination: 'stdout',
  });
  if (
    parts.worker !== parts.api &&
    config.store.url === undefined &&
    config.store.dsql.endpoint === undefined
  ) {
    logger.warn(
      { store: describeStore(config) },
      'PGlite is an in-process database: run the worker and the API in one process (`headway copilot run`) or use a PostgreSQL store',
    );
  }
  const { installRuntime } = await import('../temporal/runtime.js');
  const { startCopilot } = await import('../copilot/service.js');
  if (parts.worker) installRuntime({ logger });
  const copilot = await startCopilot(config, parts, { logger });
  io.err(
    `copilot running${copilot.apiUrl === undefined ? '' : `: API ${copilot.apiUrl}`} (Ctrl-C stops)\n`,
  );
  let signalled = false;
  const stopped = new Promise<void>((resolve) => {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      process.once(sig, () => {
        signalled = true;
        resolve();
      });
    }
  });
  if (parts.worker) await Promise.race([copilot.done, stopped]);
  else await stopped;
  await copilot.stop();
  if (!signalled && parts.worker) {
    throw new HeadwayError(ErrorCode.Internal, 'the copilot worker stopped by itself', {
      hint: 'see the log above; `headway copilot run` restarts cleanly',
    });
  }
}

export function copilotCommand(io: Io): Command {
  const copilot = new Command('copilot').description(
    'Run the copilot: observe/assess workflows (worker), the JSON API, or both. `headway up` runs ' +
      'both against the local stack; these commands run the parts on their own, for production.',
  );
  copilot.addCommand(
    withCopilotOptions(new Command('run'), { api: true, worker: true })
      .description(
        'worker + API + start the workflows, in one process (needed for the default PGlite store)',
      )
      .action(async (options: CopilotOptions) => {
        await runParts(io, options, { worker: true, api: true, startWorkflows: true });
      }),
  );
  copilot.addCommand(
    withCopilotOptions(new Command('worker'), { api: false, worker: true })
      .description('poll the copilot task queue: run the observe, log-watcher and assess workflows')
      .option('--start', 'also start the workflows (as `headway copilot start`)')
      .action(async (options: CopilotOptions & { start?: boolean }) => {
        await runParts(io, options, {
          worker: true,
          api: false,
          startWorkflows: options.start === true,
        });
      }),
  );
  copilot.addCommand(
    withCopilotOptions(new Command('api'), { api: true, worker: false })
      .description('serve the JSON API (/status, /status/*, /healthz, /metrics) from the store')
      .action(async (options: CopilotOptions) => {
        await runParts(io, options, { worker: false, api: true, startWorkflows: false });
      }),
  );
  copilot.addCommand(
    withCopilotOptions(new Command('start'), { api: false, worker: true })
      .description(
        'start the observe, log-watcher and scheduled-assessment workflows (kept if already running)',
      )
      .option('--json', 'print the workflow ids as JSON')
      .action(async (options: CopilotOptions) => {
        const config = copilotConfig(options, process.env);
        const { startCopilot } = await import('../copilot/service.js');
        const started = await startCopilot(
          config,
          { worker: false, api: false, startWorkflows: true },
          { logger: pino({ level: 'silent' }) },
        );
        await started.stop();
        // A run kept by use-existing may be stuck on a workflow change it cannot replay.
        const { assertNoStuckRuns } = await import('../copilot/start-check.js');
        await assertNoStuckRuns(config, Object.values(started.workflows ?? {}));
        if (options.json === true) printJson(io, started.workflows);
        else {
          io.out(
            `workflows running on ${config.copilot.address ?? `127.0.0.1:${String(config.stack.copilot.grpc_port)}`} (${config.copilot.namespace}):\n`,
          );
          for (const id of Object.values(started.workflows ?? {})) io.out(`  ${id}\n`);
        }
      }),
  );
  return copilot;
}
