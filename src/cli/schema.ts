import { Command } from 'commander';

import { postgresTarget } from '../stack/cluster/postgres.js';
import { schemaStatus, setupSchema, type SchemaStatus } from '../stack/cluster/schema.js';
import { stateLayout } from '../stack/state.js';
import { ensureBinary, TEMPORAL_SQL_TOOL, toolchainContext } from '../toolchain/index.js';

import { loadCommandConfig, withCommonOptions, type CommonOptions } from './common.js';
import { formatTable, printJson, progressPrinter, type Io } from './output.js';

type SchemaOptions = CommonOptions & { json?: boolean };

function printStatus(io: Io, rows: readonly SchemaStatus[]): void {
  io.out(
    formatTable(
      ['schema', 'database', 'version', 'expected', 'state'],
      rows.map((r) => [r.kind, r.database, r.version ?? '-', r.expected, r.state]),
    ),
  );
}

function action(mode: 'setup' | 'upgrade' | 'status', io: Io) {
  return async (options: SchemaOptions): Promise<void> => {
    const { config } = loadCommandConfig(options);
    const cluster = config.stack.cluster;
    const target = postgresTarget(cluster, stateLayout(config.state_dir));
    if (mode === 'status') {
      const rows = await schemaStatus(target, cluster.topology);
      if (options.json === true) printJson(io, rows);
      else printStatus(io, rows);
      if (rows.some((r) => r.state !== 'current')) process.exitCode = 1;
      return;
    }
    const progress = progressPrinter(io);
    const tool = await ensureBinary(
      TEMPORAL_SQL_TOOL,
      toolchainContext(TEMPORAL_SQL_TOOL, config, process.env, progress),
    );
    const done = await setupSchema(tool.path, target, cluster.topology, {
      allowUpgrade: mode === 'upgrade',
      onProgress: options.json === true ? () => undefined : (line) => io.out(`${line}\n`),
    });
    const rows = await schemaStatus(target, cluster.topology);
    if (options.json === true) printJson(io, { done, schemas: rows });
    else {
      if (done.length === 0) io.out('nothing to do: both schemas are current\n');
      printStatus(io, rows);
    }
  };
}

export function schemaCommand(io: Io): Command {
  const command = new Command('schema').description(
    "The cluster profile's database schemas (the default store and SQL visibility), managed with " +
      "the server's own temporal-sql-tool. Needs the cluster's PostgreSQL running " +
      '(`headway up --profile cluster`) or stack.cluster.postgres.url.',
  );
  const sub = (name: string, description: string, mode: 'setup' | 'upgrade' | 'status') =>
    withCommonOptions(new Command(name))
      .description(description)
      .option('--json', 'print the result as JSON')
      .action(action(mode, io));
  command.addCommand(
    sub(
      'setup',
      'Create missing databases and set up empty ones; idempotent. Refuses a schema that is older ' +
        '(use upgrade) or newer than these binaries.',
      'setup',
    ),
  );
  command.addCommand(
    sub('upgrade', 'Like setup, and also upgrades a schema older than the binaries.', 'upgrade'),
  );
  command.addCommand(
    sub(
      'status',
      'Show each schema version against what the binaries expect; exit 1 unless both are current.',
      'status',
    ),
  );
  return command;
}
