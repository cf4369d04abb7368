import { readdirSync } from 'node:fs';

import { Command, Option } from 'commander';
import { pino, type DestinationStream } from 'pino';

import type { HeadwayConfig } from '../config/schema.js';
import { ErrorCode, HeadwayError } from '../errors.js';
import { createRootLogger } from '../log/logger.js';
import { stackStatus, stopStack } from '../stack/lifecycle.js';
import { compactLogLine, logLevelOf } from '../stack/log-format.js';
import { followFiles, tailLines } from '../stack/logs.js';
import { startStack, type ForegroundHooks } from '../stack/start.js';
import { SERVICE_NAMES, stateLayout, type StackRecord } from '../stack/state.js';

import { loadCommandConfig, portFlag, withCommonOptions, type CommonOptions } from './common.js';
import { formatDuration, formatTable, printJson, progressPrinter, type Io } from './output.js';

interface UpOptions extends CommonOptions {
  detach?: boolean;
  json?: boolean;
  temporalPort?: number;
  temporalUiPort?: number;
  prometheusPort?: number;
  profile?: 'dev' | 'cluster';
}

export function upCommand(io: Io): Command {
  return withCommonOptions(new Command('up'))
    .description(
      'Start the local stack: a monitored Temporal cluster, a small dev server for the copilot, ' +
        'Prometheus scraping both, and the copilot (worker, workflows and JSON API on :8081). ' +
        'Waits until every service is ready, then prints the endpoints.',
    )
    .addOption(
      new Option(
        '--profile <profile>',
        'dev: the monitored cluster is `temporal server start-dev` (one process, SQLite); ' +
          'cluster: frontend, history x2, matching x2 and worker services on PostgreSQL, with the ' +
          'Web UI server (docs/cluster.md)',
      ).choices(['dev', 'cluster']),
    )
    .option('-d, --detach', 'return once ready and leave the stack running in the background')
    .option('--json', 'with --detach: print the stack record as JSON')
    .option('--temporal-port <port>', 'gRPC port of the monitored server (default 7233)', portFlag)
    .option(
      '--temporal-ui-port <port>',
      'Web UI port of the monitored server (default 8233)',
      portFlag,
    )
    .option('--prometheus-port <port>', 'Prometheus port (default 9090)', portFlag)
    .addHelpText(
      'after',
      '\nStop with Ctrl-C (foreground) or `headway down`. Data is kept in the state dir between runs.',
    )
    .action(async (options: UpOptions) => {
      await up(io, options);
    });
}

async function up(io: Io, options: UpOptions): Promise<void> {
  const progress = progressPrinter(io);
  const { config } = loadCommandConfig(options, [
    [['stack', 'monitored', 'grpc_port'], options.temporalPort],
    [['stack', 'monitored', 'ui_port'], options.temporalUiPort],
    [['stack', 'prometheus', 'port'], options.prometheusPort],
    [['stack', 'profile'], options.profile],
  ]);
  if (options.detach === true) {
    const started = await startStack({ config, mode: 'detached' }, progress);
    if (options.json === true) printJson(io, started.record);
    else if (started.kind === 'already-running') printAlreadyRunning(io, config, started.record);
    else {
      io.out(
        `\nHeadway stack is up in ${seconds(started.startedAt)} (state dir ${config.state_dir}).\n\n`,
      );
      io.out(endpointTable(started.record));
      io.out(
        '\nRunning in the background. `headway ps` shows health, `headway logs -f` follows the logs,\n',
      );
      io.out('`headway down` stops everything.\n');
    }
    return;
  }
  await runForeground(io, options, config);
}

function printAlreadyRunning(io: Io, config: HeadwayConfig, record: StackRecord): void {
  io.out(`A Headway stack is already running (state dir ${config.state_dir}).\n\n`);
  io.out(endpointTable(record));
}

/** Supervises the stack in this process: streams the services' logs until Ctrl-C, then stops it. */
async function runForeground(io: Io, options: UpOptions, config: HeadwayConfig): Promise<void> {
  let streaming = false;
  const cancel = new AbortController();
  let stop: (sig: NodeJS.Signals) => void = () => undefined;
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    stop = resolve;
  });
  const hooks = (): ForegroundHooks => {
    const layout = stateLayout(config.state_dir);
    const logger = createRootLogger({
      component: 'supervisor',
      destination: pino.multistream([
        {
          level: 'info',
          stream: pino.destination({ dest: layout.supervisorLog, append: true, sync: true }),
        },
        {
          level: 'warn',
          stream: {
            write: (line: string) => io.err(`${compactLogLine('headway', line.trimEnd())}\n`),
          } satisfies DestinationStream,
        },
      ]),
    });

    // If whoever reads our output goes away (`headway up | head`), keep supervising, quietly: a
    // crash here would orphan the servers.
    process.stdout.on('error', () => {
      streaming = false;
    });
    // A closed terminal (SIGHUP) stops the stack like Ctrl-C; what is then written to it is lost.
    process.stderr.on('error', () => undefined);

    let signals = 0;
    const onSignal = (sig: NodeJS.Signals): void => {
      signals += 1;
      if (signals === 1) {
        cancel.abort();
        stop(sig);
      } else {
        io.err('\nstill stopping; services get 15 s each before they are killed\n');
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.on('SIGHUP', onSignal);
    return {
      logger,
      signal: cancel.signal,
      onLine: (service, line) => {
        if (!streaming) return;
        const level = logLevelOf(line);
        if (level === 'DEBUG' || level === 'TRACE') return;
        io.out(`${compactLogLine(service, line)}\n`);
      },
    };
  };

  const started = await startStack({ config, mode: 'foreground', hooks }, progressPrinter(io));
  if (started.kind === 'already-running') {
    if (options.json === true) printJson(io, started.record);
    else printAlreadyRunning(io, config, started.record);
    return;
  }
  const { stack } = started;
  io.out(
    `\nHeadway stack is up in ${seconds(started.startedAt)} (state dir ${config.state_dir}).\n\n`,
  );
  io.out(endpointTable(stack.record()));
  io.out('\nStreaming service logs. Press Ctrl-C to stop the stack.\n\n');
  streaming = true;

  const sig = await stopped;
  streaming = false;
  io.err(`\n▸ ${sig}: stopping the stack\n`);
  await stack.stop();
  io.err('▸ stopped; data is kept in the state dir (`headway down --volumes` removes it)\n');
}

function endpointTable(record: StackRecord): string {
  const rows: string[][] = [];
  for (const service of record.services) {
    service.endpoints.forEach((e, i) => rows.push([i === 0 ? service.name : '', e.label, e.value]));
  }
  return formatTable(['service', 'endpoint', 'address'], rows);
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)}s`;
}

interface DownOptions extends CommonOptions {
  volumes?: boolean;
  json?: boolean;
}

export function downCommand(io: Io): Command {
  return withCommonOptions(new Command('down'))
    .description('Stop everything `headway up` started (by its recorded pids only). Data is kept.')
    .option('-v, --volumes', 'also delete the databases, Prometheus data and logs in the state dir')
    .option('--json', 'print what was stopped as JSON')
    .action(async (options: DownOptions) => {
      const { config } = loadCommandConfig(options);
      const result = await stopStack(config.state_dir, {
        volumes: options.volumes === true,
        onProgress: progressPrinter(io),
      });
      if (options.json === true) {
        printJson(io, { state_dir: config.state_dir, ...result });
        return;
      }
      if (!result.wasRunning)
        io.out(`No Headway stack was running (state dir ${config.state_dir}).\n`);
      else if (result.stopped.length === 0)
        io.out('The stack had already stopped; removed its record.\n');
      else io.out(`Stopped ${result.stopped.map((s) => `${s.name} (pid ${s.pid})`).join(', ')}.\n`);
      if (result.removedVolumes.length > 0)
        io.out(`Deleted data: ${result.removedVolumes.join(', ')}\n`);
      else if (options.volumes === true) io.out('No data to delete in the state dir.\n');
    });
}

export function psCommand(io: Io): Command {
  return withCommonOptions(new Command('ps'))
    .description(
      'Show each service of the local stack: pid, ports, URL, health (a live probe) and uptime.',
    )
    .option('--json', 'print an array of {name, pid, ports, url, health, uptime_s}')
    .action(async (options: CommonOptions & { json?: boolean }) => {
      const { config } = loadCommandConfig(options);
      const status = await stackStatus(config);
      if (options.json === true) {
        printJson(io, status.services);
        return;
      }
      if (status.record === undefined) {
        io.out(
          `No Headway stack is running (state dir ${config.state_dir}). Start one with \`headway up\`.\n`,
        );
        return;
      }
      io.out(
        formatTable(
          ['name', 'pid', 'health', 'uptime', 'ports', 'url'],
          status.services.map((s) => [
            s.name,
            s.pid === null ? '-' : String(s.pid),
            s.restarts > 0 ? `${s.health} (${s.restarts} restarts)` : s.health,
            formatDuration(s.uptime_s),
            Object.entries(s.ports)
              .map(([k, v]) => `${k}:${v}`)
              .join(' '),
            s.url,
          ]),
        ),
      );
      if (!status.supervisorRunning) {
        io.err(
          `\nwarning: the supervisor (pid ${status.record.supervisor.pid}) is not running; ` +
            'run `headway down` to clean up, then `headway up`\n',
        );
      }
    });
}

/** The dev profile's services, the supervisor, and any other service that has written a log here. */
function logSources(logsDir: string): string[] {
  let written: string[] = [];
  try {
    written = readdirSync(logsDir)
      .filter((f) => /^[a-z][a-z0-9-]*\.log$/.test(f))
      .map((f) => f.slice(0, -'.log'.length));
  } catch {
    // No logs yet.
  }
  return [...new Set([...SERVICE_NAMES, ...written.sort(), 'supervisor'])];
}

interface LogsOptions extends CommonOptions {
  follow?: boolean;
  lines: number;
  raw?: boolean;
}

export function logsCommand(io: Io): Command {
  return withCommonOptions(new Command('logs'))
    .description('Show the logs of one service, or of all of them.')
    .argument(
      '[service]',
      `one of ${SERVICE_NAMES.join(', ')}, supervisor, or with --profile cluster postgres, ` +
        'temporal-ui, temporal-<role>-<n> (default: all)',
    )
    .option('-f, --follow', 'keep printing new lines until Ctrl-C')
    .addOption(
      new Option('-n, --lines <n>', 'lines to show from the end of each log')
        .default(50)
        .argParser(Number),
    )
    .option('--raw', 'print lines exactly as the service wrote them (JSON)')
    .action(async (service: string | undefined, options: LogsOptions) => {
      const { config } = loadCommandConfig(options);
      const layout = stateLayout(config.state_dir);
      const LOG_SOURCES = logSources(layout.logs);
      if (service !== undefined && !LOG_SOURCES.includes(service)) {
        throw new HeadwayError(
          ErrorCode.UnknownService,
          `unknown service ${JSON.stringify(service)}`,
          {
            hint: `choose one of ${LOG_SOURCES.join(', ')}`,
          },
        );
      }
      if (!Number.isInteger(options.lines) || options.lines < 0) {
        throw new HeadwayError(ErrorCode.Usage, '--lines must be a whole number', {
          hint: 'for example -n 100',
        });
      }
      const names = service === undefined ? LOG_SOURCES : [service];
      const files = names.map((name) => ({
        name,
        file: name === 'supervisor' ? layout.supervisorLog : layout.serviceLog(name),
      }));
      const width = Math.max(...names.map((n) => n.length));
      const print = (name: string, line: string): void =>
        io.out(
          options.raw === true
            ? `${names.length > 1 ? `${name}: ` : ''}${line}\n`
            : `${compactLogLine(name, line, width)}\n`,
        );

      let any = false;
      for (const { name, file } of files) {
        const lines = await tailLines(file, options.lines);
        any ||= lines.length > 0;
        for (const line of lines) print(name, line);
      }
      if (!any && options.follow !== true) {
        io.err(`no logs yet in ${layout.logs}; start the stack with \`headway up\`\n`);
        return;
      }
      if (options.follow === true) {
        const stop = new AbortController();
        const onSignal = (): void => stop.abort();
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        await followFiles(files, print, stop.signal);
      }
    });
}
