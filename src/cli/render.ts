/**
 * `headway render compose|helm|ecs|render` and `headway plan`: the deploy model from a file, the
 * topology from it or from the Headway config (what `headway up --profile cluster` runs), files
 * written under --out.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

import { Command } from 'commander';
import { parse } from 'yaml';
import type { z } from 'zod';

import { loadConfig } from '../config/load.js';
import { loadAssets } from '../deploy/assets.js';
import {
  DeploySchema,
  PlanRequestSchema,
  PlanSchema,
  TARGETS,
  formatPlan,
  plan,
  renderTarget,
  withPlan,
  type Plan,
  type Target,
} from '../deploy/index.js';
import { ErrorCode, HeadwayError, errorMessage } from '../errors.js';

import { printJson, type Io } from './output.js';

/** The deploy file read when --config is not given and it exists. */
export const DEFAULT_DEPLOY_FILE = 'headway-deploy.yml';

function readYaml(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new HeadwayError(
      ErrorCode.ConfigFileUnreadable,
      `cannot read ${file}: ${errorMessage(err)}`,
    );
  }
  const value: unknown = file.endsWith('.json') ? JSON.parse(text) : parse(text);
  return (value ?? {}) as Record<string, unknown>;
}

function invalid(what: string, err: z.ZodError): HeadwayError {
  return new HeadwayError(ErrorCode.ConfigInvalid, `${what} is invalid`, {
    details: err.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`),
    hint: 'fix the fields above (docs/deploy.md describes the deploy file)',
  });
}

/** A plan request from flags: a usage error that names each flag, as for any other flag. */
function badPlanFlags(err: z.ZodError, command: string): HeadwayError {
  return new HeadwayError(ErrorCode.Usage, 'invalid sizing flags', {
    details: err.issues.map(
      (i) => `--${String(i.path[0] ?? '').replaceAll('_', '-')} ${i.message}`,
    ),
    hint: `change the flags listed above; \`headway ${command} --help\` lists them`,
  });
}

function readPlan(
  options: { plan?: string; targetWps?: string },
  persistence: string,
): Plan | undefined {
  if (options.plan !== undefined) {
    const parsed = PlanSchema.safeParse(readYaml(options.plan));
    if (!parsed.success) throw invalid(`plan ${options.plan}`, parsed.error);
    return parsed.data;
  }
  if (options.targetWps !== undefined) {
    const request = PlanRequestSchema.safeParse({ target_wps: options.targetWps, persistence });
    if (!request.success) throw badPlanFlags(request.error, 'render');
    return plan(request.data);
  }
  return undefined;
}

export function renderCommand(io: Io): Command {
  return new Command('render')
    .description(
      'Write the cluster Headway runs locally (`up --profile cluster`) as a deployment: compose ' +
        '(docker-compose.yml), helm (a chart), ecs (a Terraform module) or render (render.yaml). ' +
        'Secrets are referenced, never written. See docs/deploy.md.',
    )
    .argument('<target>', TARGETS.join('|'))
    .option('-o, --out <dir>', 'output directory (default: ./deploy/<target>)')
    .option('-c, --config <file>', `deploy file (default: ./${DEFAULT_DEPLOY_FILE} if present)`)
    .option('--plan <file>', 'apply a sizing from `headway plan --json` (replicas, shards, pools)')
    .option('--target-wps <n>', 'size for this workflow rate (as `headway plan`)')
    .action(
      (
        target: string,
        options: { out?: string; config?: string; plan?: string; targetWps?: string },
      ) => {
        if (!(TARGETS as readonly string[]).includes(target)) {
          throw new HeadwayError(ErrorCode.Usage, `unknown target ${JSON.stringify(target)}`, {
            hint: `choose ${TARGETS.join(', ')}`,
          });
        }
        const file =
          options.config ?? (existsSync(DEFAULT_DEPLOY_FILE) ? DEFAULT_DEPLOY_FILE : undefined);
        let input = file === undefined ? {} : readYaml(file);
        if (input.topology === undefined) {
          // The topology `headway up --profile cluster` runs, from the Headway config.
          input = {
            ...input,
            topology: loadConfig({ env: process.env }).config.stack.cluster.topology,
          };
        }
        const p = readPlan(
          options,
          String((input.database as { kind?: string } | undefined)?.kind ?? 'postgres'),
        );
        if (p !== undefined) input = withPlan(input, p);
        const parsed = DeploySchema.safeParse(input);
        if (!parsed.success) throw invalid(`deploy file ${file ?? '(defaults)'}`, parsed.error);
        const files = renderTarget(target as Target, parsed.data, loadAssets());
        const out = resolve(options.out ?? join('deploy', target));
        for (const f of files) {
          mkdirSync(dirname(join(out, f.path)), { recursive: true });
          writeFileSync(join(out, f.path), f.content);
        }
        io.out(`wrote ${String(files.length)} files to ${out}\n`);
      },
    );
}

export function planCommand(io: Io): Command {
  return new Command('plan')
    .description(
      'Size a Temporal cluster for a target workflow rate from published reference runs: ' +
        'replicas and resources per role, history shards, task queue partitions, pools, ' +
        'benchmark workers, with the reasoning and its sources. `headway render --plan` applies it.',
    )
    .requiredOption('--target-wps <n>', 'workflows started and completed per second')
    .option('--persistence <kind>', 'postgres or dsql', 'postgres')
    .option('--json', 'print the plan as JSON (for `headway render --plan FILE`)')
    .action((options: { targetWps: string; persistence: string; json?: boolean }) => {
      const request = PlanRequestSchema.safeParse({
        target_wps: options.targetWps,
        persistence: options.persistence,
      });
      if (!request.success) throw badPlanFlags(request.error, 'plan');
      const result = plan(request.data);
      if (options.json === true) printJson(io, result);
      else io.out(formatPlan(result));
    });
}
