import { Command } from 'commander';

import { benchCommand } from './bench.js';
import { copilotCommand } from './copilot.js';
import { doctorCommand, installCommand } from './doctor.js';
import { kbCommand } from './kb.js';
import type { Io } from './output.js';
import { scenarioCommand } from './scenario.js';
import { recordCommand } from './record.js';
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
    .addHelpText(
      'after',
      '\nConfiguration: flags > HEADWAY_* environment variables > headway.yml > defaults.\n' +
        'Environment: HEADWAY_STATE_DIR, HEADWAY_CACHE_DIR, HEADWAY_TEMPORAL_BIN, HEADWAY_PROMETHEUS_BIN,\n' +
        '  HEADWAY_PROMETHEUS_PORT, HEADWAY_MONITORED_GRPC_PORT (and _UI_/_HTTP_/_METRICS_PORT),\n' +
        '  HEADWAY_COPILOT_GRPC_PORT (and the same), HEADWAY_SCRAPE_INTERVAL, HEADWAY_CONFIG.\n' +
        'Signals: HEADWAY_PROMETHEUS_URL, HEADWAY_PROMETHEUS_AUTH (none|bearer|basic|sigv4) with\n' +
        '  HEADWAY_PROMETHEUS_TOKEN / _USERNAME / _PASSWORD / _SIGV4_REGION, HEADWAY_LOKI_URL,\n' +
        '  HEADWAY_SERVER_SELECTOR, HEADWAY_WORKER_SELECTOR (docs/health-model.md).\n' +
        'Temporal connection (worker, workflow, bench): TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,\n' +
        '  TEMPORAL_TASK_QUEUE, TEMPORAL_API_KEY, TEMPORAL_TLS, TEMPORAL_PROFILE (docs/samples.md).\n' +
        'Copilot: HEADWAY_COPILOT_ADDRESS, HEADWAY_COPILOT_NAMESPACE, HEADWAY_COPILOT_TASK_QUEUE,\n' +
        '  HEADWAY_CLUSTER_ID, HEADWAY_CADENCE_S, HEADWAY_LOG_FILE, HEADWAY_API_HOST, HEADWAY_API_PORT,\n' +
        '  HEADWAY_API_TOKEN, HEADWAY_API_CORS_ORIGINS (docs/api.md).\n' +
        'Store: HEADWAY_STORE_URL (postgres://), HEADWAY_DSQL_ENDPOINT + HEADWAY_DSQL_REGION,\n' +
        '  HEADWAY_STORE_RETENTION_DAYS (docs/store.md).',
    );
  for (const command of [
    upCommand(io),
    downCommand(io),
    psCommand(io),
    logsCommand(io),
    doctorCommand(io),
    installCommand(io),
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
