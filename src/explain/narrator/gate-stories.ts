/** How the narrator talks about each gate. `problem` always contains `subject`. */
export interface GateStory {
  readonly subject: string;
  readonly problem: string;
  readonly unit: string;
}

export const GATE_STORIES: Readonly<Record<string, GateStory>> = {
  'critical.throughput': {
    subject: 'state transitions',
    problem: 'state transitions have almost stopped',
    unit: '/s',
  },
  'critical.completion_rate': {
    subject: 'workflow completions',
    problem: 'workflow completions are mostly failures',
    unit: 'ratio',
  },
  'critical.history_processing': {
    subject: 'history task processing',
    problem: 'history task processing has stalled',
    unit: '/s',
  },
  'critical.history_backlog': {
    subject: 'history backlog',
    problem: 'the history backlog is far behind',
    unit: 's',
  },
  'critical.persistence_errors': {
    subject: 'persistence errors',
    problem: 'persistence errors exceed what retries absorb',
    unit: '/s',
  },
  'stressed.transition_latency': {
    subject: 'state transition latency',
    problem: 'state transition latency is high',
    unit: 'ms',
  },
  'stressed.history_backlog': {
    subject: 'history backlog',
    problem: 'the history backlog is growing',
    unit: 's',
  },
  'stressed.frontend_latency': {
    subject: 'frontend latency',
    problem: 'frontend latency is high',
    unit: 'ms',
  },
  'stressed.persistence_errors': {
    subject: 'persistence errors',
    problem: 'persistence errors fail a share of the work',
    unit: '/s',
  },
  'stressed.persistence_latency': {
    subject: 'persistence latency',
    problem: 'persistence latency is high',
    unit: 'ms',
  },
  'stressed.shard_churn': {
    subject: 'shard churn',
    problem: 'shard churn is high as history shards keep moving',
    unit: '/s',
  },
  'critical.matching_dispatch': {
    subject: 'task dispatch',
    problem: 'task dispatch has almost stopped: tasks reach matching and no worker takes them',
    unit: 'ratio',
  },
  'stressed.matching_dispatch': {
    subject: 'task dispatch',
    problem: 'task dispatch lags: workers take fewer tasks than arrive',
    unit: 'ratio',
  },
  'critical.service_down': {
    subject: 'services down',
    problem: 'services down: a whole Temporal service has no instance up',
    unit: '',
  },
  'stressed.instance_down': {
    subject: 'instances down',
    problem: 'instances down: part of a Temporal service is not scraped',
    unit: '',
  },
  'stressed.server_restarts': {
    subject: 'server restarts',
    problem: 'server restarts in the last two minutes interrupted work in flight',
    unit: '',
  },
  'stressed.poller_timeouts': {
    subject: 'poll timeouts',
    problem: 'poll timeouts dominate as worker polls return empty',
    unit: 'ratio',
  },
};
