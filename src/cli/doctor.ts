import { Command } from 'commander';

import { listPorts, TEMPORAL_CLI_VERSION } from '../config/schema.js';
import { ErrorCode, HeadwayError } from '../errors.js';
import { readStackRecord } from '../stack/state.js';
import { isPortFree } from '../os/ports.js';
import { isRunning } from '../os/process-identity.js';
import { findPostgresBinDir } from '../stack/cluster/postgres-binaries.js';
import {
  BINARIES,
  CLUSTER_BINARIES,
  HELM,
  PROMETHEUS,
  TEMPORAL,
  ensureBinary,
  findBinary,
  lookPath,
  toolchainContext,
  type BinarySpec,
} from '../toolchain/index.js';

import { loadCommandConfig, withCommonOptions, type CommonOptions } from './common.js';
import { formatTable, printJson, progressPrinter, type Io } from './output.js';

export interface DependencyReport {
  readonly name: string;
  readonly ok: boolean;
  readonly version: string | null;
  readonly wanted: string | null;
  readonly path: string | null;
  readonly source: string | null;
  /** What was tried and why it did not work, when missing. */
  readonly tried: readonly string[];
  readonly fix: string | null;
}

export function doctorCommand(io: Io): Command {
  return withCommonOptions(new Command('doctor'))
    .description(
      'Check what Headway needs: Node.js, the Temporal CLI, Prometheus, Go (to build the CLI when no ' +
        'release can be downloaded), the state dir and the stack ports; for `--profile cluster` also ' +
        'temporal-server, temporal-sql-tool, the UI server and PostgreSQL. Installs nothing.',
    )
    .option('--json', 'print the report as JSON')
    .action(async (options: CommonOptions & { json?: boolean }) => {
      const { config, file } = loadCommandConfig(options);
      const env = process.env;
      const dependencies: DependencyReport[] = [nodeReport()];
      for (const spec of BINARIES) {
        dependencies.push(await binaryReport(spec, toolchainContext(spec, config, env)));
      }
      const postgres = findPostgresBinDir(config.stack.cluster.postgres.bin_dir);
      dependencies.push({
        name: 'postgresql',
        ok: postgres !== undefined || config.stack.cluster.postgres.url !== undefined,
        version: null,
        wanted: '>= 12 (cluster profile)',
        path: postgres ?? null,
        source: postgres === undefined ? null : 'path',
        tried: [],
        fix:
          postgres === undefined
            ? 'apt-get install postgresql (initdb, pg_ctl, postgres), or set stack.cluster.postgres.url'
            : null,
      });
      const go =
        config.toolchain.go_bin ??
        lookPath('go', env) ??
        lookPath('go', { PATH: '/usr/local/go/bin' });
      dependencies.push({
        name: 'go',
        ok: go !== undefined,
        version: null,
        wanted: '>= 1.25 (optional)',
        path: go ?? null,
        source: go === undefined ? null : 'path',
        tried: [],
        fix:
          go === undefined
            ? `only needed to build the Temporal CLI when its release cannot be downloaded: install Go 1.25+`
            : null,
      });

      let record;
      try {
        record = readStackRecord(config.state_dir);
      } catch (err) {
        if (!(err instanceof HeadwayError)) throw err;
      }
      const stackRunning = record !== undefined && isRunning(record.supervisor);
      const ports = await Promise.all(
        listPorts(config).map(async ([label, port]) => ({
          label,
          port,
          free: await isPortFree(port),
        })),
      );
      // Ports held by our own running stack are expected, not a problem.
      const portProblems = stackRunning ? [] : ports.filter((p) => !p.free);
      // The cluster profile's binaries matter only when it is the profile in use.
      const clusterOnly = new Set([...CLUSTER_BINARIES.map((b) => b.name as string), 'postgresql']);
      const required = dependencies.filter(
        (d) => d.name !== 'go' && (config.stack.profile === 'cluster' || !clusterOnly.has(d.name)),
      );
      const ok = required.every((d) => d.ok) && portProblems.length === 0;

      if (options.json === true) {
        printJson(io, {
          ok,
          config_file: file ?? null,
          state_dir: config.state_dir,
          cache_dir: config.cache_dir,
          stack_running: stackRunning,
          dependencies,
          ports,
        });
      } else {
        io.out(
          formatTable(
            ['dependency', 'status', 'version', 'source', 'path'],
            dependencies.map((d) => [
              d.name,
              d.ok
                ? 'ok'
                : required.includes(d)
                  ? 'MISSING'
                  : d.name === 'go'
                    ? 'absent (optional)'
                    : 'absent (cluster profile)',
              d.version ?? '-',
              d.source ?? '-',
              d.path ?? '-',
            ]),
          ),
        );
        for (const d of required.filter((x) => !x.ok)) {
          io.out(`\n${d.name}:\n`);
          for (const t of d.tried) io.out(`  tried ${t}\n`);
          if (d.fix !== null) io.out(`  fix: ${d.fix}\n`);
        }
        io.out(
          `\nconfig file: ${file ?? 'none (defaults)'}\nstate dir:   ${config.state_dir}\ncache dir:   ${config.cache_dir}\n`,
        );
        io.out(`stack:       ${stackRunning ? 'running' : 'not running'}\n`);
        for (const p of portProblems)
          io.out(`port ${p.port} (${p.label}) is in use by another process\n`);
        io.out(
          ok
            ? '\nAll set: `headway up` can start the stack.\n'
            : '\nSome checks failed; see the fixes above.\n',
        );
      }
      if (!ok) process.exitCode = 1;
    });
}

function nodeReport(): DependencyReport {
  const major = Number(process.versions.node.split('.')[0]);
  return {
    name: 'node',
    ok: major >= 22,
    version: process.versions.node,
    wanted: '>= 22',
    path: process.execPath,
    source: 'running',
    tried: [],
    fix: major >= 22 ? null : 'install Node.js 22 or newer (24 LTS recommended)',
  };
}

async function binaryReport(
  spec: BinarySpec,
  ctx: ReturnType<typeof toolchainContext>,
): Promise<DependencyReport> {
  try {
    const { found, attempts } = await findBinary(spec, ctx);
    return {
      name: spec.name,
      ok: found !== undefined,
      version: found?.version ?? null,
      wanted: spec.wantedVersion,
      path: found?.path ?? null,
      source: found?.source ?? null,
      tried: found === undefined ? attempts.map((a) => `${a.step}: ${a.outcome}`) : [],
      fix:
        found === undefined
          ? spec === TEMPORAL
            ? `run \`headway install temporal\` (downloads v${TEMPORAL_CLI_VERSION}, or builds it with Go), or ${spec.installHint}`
            : spec.installHint
          : null,
    };
  } catch (err) {
    if (!(err instanceof HeadwayError)) throw err;
    return {
      name: spec.name,
      ok: false,
      version: null,
      wanted: spec.wantedVersion,
      path: ctx.explicitPath ?? null,
      source: 'explicit',
      tried: [err.message],
      fix: err.hint ?? null,
    };
  }
}

export function installCommand(io: Io): Command {
  return withCommonOptions(new Command('install'))
    .description(
      'Find or install the binaries the local stack needs, into the cache dir: the Temporal CLI ' +
        `v${TEMPORAL_CLI_VERSION} (release download, else go install) and Prometheus (release download); ` +
        '`cluster` adds temporal-server, temporal-sql-tool and temporal-ui-server (go install); ' +
        '`helm` (go install) checks the chart of `headway render helm`.',
    )
    .argument(
      '[binary]',
      'temporal, prometheus, temporal-server, temporal-sql-tool, temporal-ui-server, helm, cluster or all',
      'all',
    )
    .option('--json', 'print what was installed as JSON')
    .action(async (binary: string, options: CommonOptions & { json?: boolean }) => {
      const { config } = loadCommandConfig(options);
      const specs =
        binary === 'all'
          ? [TEMPORAL, PROMETHEUS, ...(config.stack.profile === 'cluster' ? CLUSTER_BINARIES : [])]
          : binary === 'cluster'
            ? CLUSTER_BINARIES
            : [...BINARIES, HELM].filter((b) => b.name === binary);
      if (specs.length === 0) {
        throw new HeadwayError(ErrorCode.Usage, `unknown binary ${JSON.stringify(binary)}`, {
          hint: 'choose temporal, prometheus, temporal-server, temporal-sql-tool, temporal-ui-server, helm, cluster or all',
        });
      }
      const progress = progressPrinter(io);
      const results = [];
      for (const spec of specs) {
        const resolved = await ensureBinary(
          spec,
          toolchainContext(spec, config, process.env, progress),
        );
        results.push(resolved);
        if (options.json !== true)
          io.out(`${spec.name} ${resolved.version}  ${resolved.source}  ${resolved.path}\n`);
      }
      if (options.json === true) printJson(io, results);
    });
}
