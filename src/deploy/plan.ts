/**
 * `headway plan`: a sizing for a target workflow rate, derived from published reference runs and
 * printed with its reasoning and sources. Pure. The references are measurements of other people's
 * clusters (Temporal on Aurora DSQL, ECS, Graviton); the plan scales them, it does not promise.
 */
import { z } from 'zod';

import { TEMPORAL_ROLES, type TemporalRole } from '../topology/model.js';

export interface ReferenceRun {
  readonly id: string;
  readonly source: string;
  readonly targetWps: number;
  /** What the run actually completed per second (the plan scales from this, not the target). */
  readonly achievedWps: number;
  readonly vcpu: number;
  readonly shards: number;
  readonly partitions: number;
  readonly roles: Readonly<Record<TemporalRole, { replicas: number; cpu: string; memory: string }>>;
  /** Connections per pool per instance, and the most a history pool held at once. */
  readonly maxConns: number;
  readonly benchWorkers: number;
  readonly pollers: number;
}

export const REFERENCES: readonly ReferenceRun[] = [
  {
    id: '150-wps',
    source:
      '150 WPS run of 2026-01-21 on 10 × m7g.2xlarge (80 vCPU): 136.74 WPS completed, p99 259 ms; ' +
      'deploy-anchors.md §5.11 ([E] docs/benchmark-results.md)',
    targetWps: 150,
    achievedWps: 136.74,
    vcpu: 80,
    shards: 4096,
    partitions: 32,
    roles: {
      frontend: { replicas: 4, cpu: '2', memory: '4Gi' },
      history: { replicas: 8, cpu: '4', memory: '8Gi' },
      matching: { replicas: 6, cpu: '1', memory: '2Gi' },
      worker: { replicas: 2, cpu: '500m', memory: '1Gi' },
    },
    maxConns: 50,
    benchWorkers: 6,
    pollers: 0,
  },
  {
    id: '400-wps',
    source:
      '400 WPS configuration table and results of 002_* ("Production Configuration", "Benchmark ' +
      'Results (January 2026)"): 372 WPS started, 323 WPS peak completion; pool numbers from ' +
      'deploy-anchors.md §5.11',
    targetWps: 400,
    achievedWps: 323,
    vcpu: 160,
    shards: 4096,
    partitions: 64,
    roles: {
      frontend: { replicas: 9, cpu: '2', memory: '4Gi' },
      history: { replicas: 16, cpu: '4', memory: '8Gi' },
      matching: { replicas: 16, cpu: '1', memory: '2Gi' },
      worker: { replicas: 3, cpu: '500m', memory: '1Gi' },
    },
    maxConns: 500,
    benchWorkers: 51,
    pollers: 1632,
  },
];

/** DSQL quotas (deploy-anchors.md §4.1, from the DSQL plugin's specification). */
export const DSQL_LIMITS = { maxConnections: 10_000, connectionsPerSecond: 100, burst: 1_000 };

export const PlanRequestSchema = z.strictObject({
  target_wps: z.coerce
    .number({ error: 'must be a number of workflows per second' })
    .positive({ error: 'must be above 0' })
    .max(5000, { error: 'must be at most 5000 (the largest reference run is 400)' }),
  persistence: z
    .enum(['postgres', 'dsql'], { error: 'must be postgres or dsql' })
    .default('postgres'),
});
export type PlanRequest = z.infer<typeof PlanRequestSchema>;

export const PlanSchema = z.strictObject({
  target_wps: z.number(),
  persistence: z.enum(['postgres', 'dsql']),
  topology: z.strictObject({
    num_history_shards: z.number().int(),
    services: z.record(
      z.enum(TEMPORAL_ROLES),
      z.strictObject({
        replicas: z.number().int(),
        resources: z.strictObject({ cpu: z.string(), memory: z.string() }),
      }),
    ),
    persistence: z.strictObject({ kind: z.literal('postgres'), max_conns: z.number().int() }),
    dynamic_config: z.record(z.string(), z.unknown()),
  }),
  bench: z.strictObject({ replicas: z.number().int(), pollers: z.number().int() }),
  total_vcpu: z.number(),
  total_connections: z.number().int(),
  reasoning: z.array(z.string()),
  guard_rails: z.array(z.string()),
  sources: z.array(z.string()),
});
export type Plan = z.infer<typeof PlanSchema>;

const nextPow2 = (n: number): number => 2 ** Math.ceil(Math.log2(Math.max(1, n)));
const cpuOf = (cpu: string): number =>
  cpu.endsWith('m') ? Number(cpu.slice(0, -1)) / 1000 : Number(cpu);
const VISIBILITY_CONNS = 10;

export function plan(request: PlanRequest): Plan {
  const target = request.target_wps;
  // The nearest reference at or above the target, else the largest (extrapolated, said so).
  const ref = REFERENCES.find((r) => r.achievedWps >= target) ?? REFERENCES[REFERENCES.length - 1]!;
  const factor = target / ref.achievedWps;
  const reasoning: string[] = [];
  const guard: string[] = [];
  reasoning.push(
    `Reference: ${ref.id} (${ref.source}). It completed ${String(ref.achievedWps)} WPS; ` +
      `${String(target)} WPS is ${factor.toFixed(2)}× that, so every role scales by ${factor.toFixed(2)} ` +
      '(rounded up; history, matching and frontend keep at least 2 for failover).',
  );
  if (target > ref.achievedWps) {
    reasoning.push(
      `${String(target)} WPS is above every reference (the largest completed ${String(ref.achievedWps)}): ` +
        'this is an extrapolation; run `headway bench run` on the result before relying on it.',
    );
  }
  const services = Object.fromEntries(
    TEMPORAL_ROLES.map((role) => {
      const r = ref.roles[role];
      const min = role === 'worker' ? 1 : 2;
      return [
        role,
        {
          replicas: Math.max(min, Math.ceil(r.replicas * factor)),
          resources: { cpu: r.cpu, memory: r.memory },
        },
      ];
    }),
  ) as Plan['topology']['services'];
  reasoning.push(
    `Per-replica sizes are the reference's: ${TEMPORAL_ROLES.map((r) => `${r} ${ref.roles[r].cpu} vCPU / ${ref.roles[r].memory}`).join(', ')}.`,
  );

  const shards = target >= 100 ? ref.shards : 1024;
  reasoning.push(
    target >= 100
      ? `History shards ${String(shards)}: both references ran ${String(ref.shards)}.`
      : `History shards ${String(shards)}: below the measured range; 1024 leaves room to grow ten-fold.`,
  );
  guard.push(
    `History shards are fixed when the cluster is created (every workflow maps to a shard by this count): choose ${String(shards)} for the load you expect to reach, not today's. Headway refuses to start a cluster whose count changed.`,
  );

  const partitions = Math.min(64, Math.max(4, nextPow2(target / 5)));
  reasoning.push(
    `Task queue partitions ${String(partitions)} (read = write): the 150 WPS run used 32, the 400 WPS ` +
      'bench profile 64 (deploy-anchors.md §2.5); about one per 5 WPS, a power of two, at most 64.',
  );

  // Pool per instance: 50 at 150 WPS, 500 at 400 WPS (336 the most a history pool held).
  const [r150, r400] = [REFERENCES[0]!, REFERENCES[1]!];
  const slope = (r400.maxConns - r150.maxConns) / (r400.targetWps - r150.targetWps);
  const maxConns = Math.min(
    1000,
    Math.max(20, Math.ceil(r150.maxConns + slope * (target - r150.targetWps))),
  );
  reasoning.push(
    `Connections per pool per instance ${String(maxConns)}: interpolated between 50 (150 WPS run) ` +
      'and 500 (400 WPS run, where a history pool held at most 336).',
  );
  const instances = TEMPORAL_ROLES.reduce((n, r) => n + services[r].replicas, 0);
  const totalConnections = instances * (maxConns + VISIBILITY_CONNS);
  const totalVcpu = TEMPORAL_ROLES.reduce(
    (n, r) => n + services[r].replicas * cpuOf(services[r].resources.cpu),
    0,
  );
  reasoning.push(
    `That is ${String(instances)} instances and ${totalVcpu.toFixed(1)} vCPU for Temporal; the 150 WPS ` +
      `reference ran on 80 vCPU of hosts (${(150 / 80).toFixed(2)} WPS per host vCPU), which for ` +
      `${String(target)} WPS would be ${Math.ceil(target / (150 / 80))} host vCPU.`,
  );

  const pollersPerWps = r400.pollers / r400.targetWps;
  const pollers = Math.ceil(target * pollersPerWps);
  const benchReplicas = Math.ceil(r400.benchWorkers * (target / r400.targetWps));
  reasoning.push(
    `Benchmark workers ${String(benchReplicas)} with about ${String(pollers)} pollers in all: the 400 WPS ` +
      `run had 51 workers × 32+32 pollers (1,632) and "workers were not the bottleneck" (002_*).`,
  );

  if (request.persistence === 'dsql') {
    guard.push(
      `DSQL allows ${DSQL_LIMITS.maxConnections.toLocaleString('en-US')} connections per cluster; this plan opens up to ${totalConnections.toLocaleString('en-US')}` +
        (totalConnections > DSQL_LIMITS.maxConnections
          ? ' — TOO MANY: lower max_conns or the replica counts, or ask AWS to raise the quota.'
          : '.'),
    );
    const fillSeconds = Math.ceil(totalConnections / DSQL_LIMITS.connectionsPerSecond);
    guard.push(
      `DSQL accepts ${String(DSQL_LIMITS.connectionsPerSecond)} new connections per second (burst ${String(DSQL_LIMITS.burst)}), cluster-wide: filling every pool takes at least ${String(fillSeconds)} s, so start roles in order and keep the reservoir on (it renews ${(totalConnections / (11 * 60)).toFixed(1)} connections/s at an 11 min lifetime).`,
    );
  } else {
    guard.push(
      `PostgreSQL must accept ${String(totalConnections)} connections from Temporal (max_connections; the default is 100), plus the copilot's and your own.`,
    );
  }

  return {
    target_wps: target,
    persistence: request.persistence,
    topology: {
      num_history_shards: shards,
      services,
      persistence: { kind: 'postgres', max_conns: maxConns },
      dynamic_config: {
        'matching.numTaskqueueReadPartitions': partitions,
        'matching.numTaskqueueWritePartitions': partitions,
      },
    },
    bench: { replicas: benchReplicas, pollers },
    total_vcpu: Number(totalVcpu.toFixed(1)),
    total_connections: totalConnections,
    reasoning,
    guard_rails: guard,
    sources: REFERENCES.map((r) => r.source),
  };
}

/** The plan as text: what to run, why, and what cannot change later. */
export function formatPlan(p: Plan): string {
  const lines = [
    `Sizing for ${String(p.target_wps)} workflows/s on ${p.persistence}`,
    '',
    'role       replicas  cpu    memory',
    ...TEMPORAL_ROLES.map((r) => {
      const s = p.topology.services[r];
      return `${r.padEnd(10)} ${String(s.replicas).padStart(8)}  ${s.resources.cpu.padEnd(6)} ${s.resources.memory}`;
    }),
    '',
    `history shards ${String(p.topology.num_history_shards)}, task queue partitions ${String(p.topology.dynamic_config['matching.numTaskqueueReadPartitions'])}, ` +
      `pool ${String(p.topology.persistence.max_conns)} per instance (${String(p.total_connections)} connections), ${String(p.total_vcpu)} vCPU`,
    `benchmark workers ${String(p.bench.replicas)} (~${String(p.bench.pollers)} pollers)`,
    '',
    'Why:',
    ...p.reasoning.map((r) => `  - ${r}`),
    '',
    'Guard rails:',
    ...p.guard_rails.map((g) => `  - ${g}`),
    '',
  ];
  return lines.join('\n');
}
