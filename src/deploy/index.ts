/**
 * `headway render` and `headway plan`: one deploy model (model.ts), one renderer per target, the
 * sizing planner. Renderers are pure and return files; the CLI writes them.
 */
import { ErrorCode, HeadwayError } from '../errors.js';

import type { RenderAssets, RenderedFile } from './common.js';
import { renderCompose } from './compose.js';
import { renderEcs } from './ecs.js';
import { renderHelm } from './helm.js';
import type { Deploy } from './model.js';
import type { Plan } from './plan.js';
import { renderRender } from './render-com.js';

export * from './model.js';
export type { RenderAssets, RenderedFile } from './common.js';
export { formatPlan, plan, PlanRequestSchema, PlanSchema, type Plan } from './plan.js';

export const TARGETS = ['compose', 'helm', 'ecs', 'render'] as const;
export type Target = (typeof TARGETS)[number];

export function renderTarget(target: Target, deploy: Deploy, assets: RenderAssets): RenderedFile[] {
  switch (target) {
    case 'compose':
      return renderCompose(deploy, assets);
    case 'helm':
      return renderHelm(deploy, assets);
    case 'ecs':
      return renderEcs(deploy);
    case 'render':
      return renderRender(deploy);
  }
}

/**
 * The deploy model's raw input with a plan's sizing over it (replicas, resources, shards, pool,
 * partitions); everything else stays the user's (benchmark workers stay opt-in).
 */
export function withPlan(input: Record<string, unknown>, p: Plan): Record<string, unknown> {
  const topology = (input.topology ?? {}) as Record<string, unknown>;
  const persistence = (topology.persistence ?? { kind: 'postgres' }) as Record<string, unknown>;
  if (p.persistence !== ((input.database as { kind?: string } | undefined)?.kind ?? 'postgres')) {
    throw new HeadwayError(
      ErrorCode.Usage,
      `the plan is for ${p.persistence} but the deploy file's database is ${String((input.database as { kind?: string } | undefined)?.kind ?? 'postgres')}`,
      { hint: 'plan again with --persistence matching database.kind' },
    );
  }
  return {
    ...input,
    topology: {
      ...topology,
      num_history_shards: p.topology.num_history_shards,
      services: p.topology.services,
      persistence: { ...persistence, max_conns: p.topology.persistence.max_conns },
      dynamic_config: {
        ...((topology.dynamic_config ?? {}) as Record<string, unknown>),
        ...p.topology.dynamic_config,
      },
    },
  };
}
