import { instancesDown, servicesDown } from '../../../health/parts.js';
import type { Context } from '../context.js';

import type { CauseEntry } from './cause.js';

/** What a Temporal service does, for the sentence that says it is gone. */
const ROLE_WORK: Readonly<Record<string, string>> = {
  frontend: 'no client or worker request reaches the cluster',
  history: 'no workflow state moves',
  matching: 'no workflow or activity task is dispatched to workers, so work waits in the queues',
  worker: "the server's own system workflows (retention, archival, schedules) do not run",
};

const downList = (c: Context) => servicesDown(c.signals.quality?.targets);
const instanceList = (c: Context) =>
  instancesDown(c.signals.quality?.targets).map((t) => `${t.instance} (${t.service})`);

/** One row per role: the cause names the role, so its `service` is that role. */
function serviceDown(role: string): CauseEntry {
  return {
    service: role,
    runbook: '',
    query: `${role} service down instances not scraped`,
    detect: (c) => downList(c).includes(role),
    text: (c) => {
      const others = downList(c).filter((s) => s !== role);
      return (
        `no ${role} instance is up (Prometheus cannot scrape any): ${ROLE_WORK[role] ?? 'its work stops'}` +
        (others.length > 0 ? `; also down: ${others.join(', ')}` : '')
      );
    },
    actions: () => [
      {
        action_type: 'restart',
        target_service: role,
        description: `Start the ${role} service again (\`headway ps\` shows its instances; \`headway logs temporal-${role}-0\` why it stopped)`,
        confidence: 0.7,
        risk_level: 'low',
      },
    ],
  };
}

/** Causes where a part of the cluster is gone: a whole service, or instances of one. */
export const PART_CAUSES = {
  frontend_down: serviceDown('frontend'),
  history_down: serviceDown('history'),
  matching_down: serviceDown('matching'),
  worker_down: serviceDown('worker'),
  /** A service with a label Headway does not know. */
  service_down: {
    service: 'history',
    runbook: '',
    query: 'service down instances not scraped',
    text: (c) => `no instance of ${downList(c).join(', ')} is up (Prometheus cannot scrape any)`,
    actions: () => [
      {
        action_type: 'restart',
        target_service: 'cluster',
        description: 'Start the stopped service again and find why it stopped in its logs',
        confidence: 0.5,
        risk_level: 'low',
      },
    ],
  },
  instance_down: {
    service: 'history',
    runbook: '',
    query: 'instance down shard ownership moved membership',
    text: (c) =>
      `${instanceList(c).join(', ')} not scraped: the other instances take over its shards or task-queue partitions, and work in flight there is retried`,
    actions: (c) => [
      {
        action_type: 'investigate',
        target_service: instancesDown(c.signals.quality?.targets)[0]?.service ?? 'history',
        description:
          'Find why the instance is gone (`headway ps`, its log); if it stays down, the rest carry its load',
        confidence: 0.5,
        risk_level: 'low',
      },
    ],
  },
} satisfies Record<string, CauseEntry>;
