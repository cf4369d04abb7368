import { existsSync, rmSync } from 'node:fs';

import type { HeadwayConfig } from '../config/schema.js';
import { ErrorCode, HeadwayError } from '../errors.js';

import { isRunning, signal, terminate, waitForExit } from '../os/process-identity.js';
import { postgresVolumes } from './cluster/postgres.js';
import { clusterProbeSpecs } from './cluster/services.js';
import { copilotService, stackServices } from './service-specs.js';
import { readStackConfig } from './stack-config.js';
import {
  liveServices,
  readStackRecord,
  removeStackRecord,
  stateLayout,
  type ServiceName,
  type StackRecord,
} from './state.js';

export type ExistingStack =
  | { readonly kind: 'none'; readonly removedStale: boolean }
  | { readonly kind: 'running'; readonly record: StackRecord };

/**
 * What `up` finds in the state dir. A ready stack is reported (up is idempotent); a stack that is
 * starting or stopping, or services left by a supervisor that died, are errors that name the fix.
 * A record whose processes are all gone is stale and removed.
 */
export function inspectExistingStack(stateDir: string): ExistingStack {
  const record = readStackRecord(stateDir);
  if (record === undefined) return { kind: 'none', removedStale: false };

  if (isRunning(record.supervisor)) {
    if (record.status === 'ready') return { kind: 'running', record };
    throw new HeadwayError(
      ErrorCode.StackBusy,
      `a Headway stack in ${stateDir} is ${record.status} (supervisor pid ${record.supervisor.pid})`,
      { hint: 'wait for it, then run `headway ps`; or stop it with `headway down`' },
    );
  }
  const orphans = liveServices(record);
  if (orphans.length > 0) {
    throw new HeadwayError(
      ErrorCode.StateStale,
      `the supervisor of the stack in ${stateDir} is gone but its services still run`,
      {
        details: orphans.map((s) => `${s.name} (pid ${s.pid})`),
        hint: 'run `headway down` to stop them, then `headway up` again',
      },
    );
  }
  removeStackRecord(stateDir);
  return { kind: 'none', removedStale: true };
}

export interface StopResult {
  readonly stopped: readonly { readonly name: string; readonly pid: number }[];
  readonly wasRunning: boolean;
  readonly removedVolumes: readonly string[];
}

/**
 * Stops everything Headway started in this state dir, by recorded pid only (checked against the
 * recorded start time, so a recycled pid is never signalled). Asks the supervisor first; kills
 * remaining services itself only if the supervisor is gone or does not finish in time.
 */
export async function stopStack(
  stateDir: string,
  options: { volumes: boolean; onProgress: (message: string) => void },
): Promise<StopResult> {
  let record: StackRecord | undefined;
  try {
    record = readStackRecord(stateDir);
  } catch (err) {
    // A damaged record cannot name any process; with --volumes the user asked to start over.
    if (!(options.volumes && err instanceof HeadwayError && err.code === ErrorCode.StateCorrupt))
      throw err;
    removeStackRecord(stateDir);
  }
  const stopped: { name: string; pid: number }[] = [];

  if (record !== undefined) {
    const services = liveServices(record);
    if (isRunning(record.supervisor)) {
      options.onProgress(`stopping the supervisor (pid ${record.supervisor.pid})`);
      signal(record.supervisor, 'SIGTERM');
      // The supervisor gives each service 15 s; allow for that plus its own exit.
      const exited = await waitForExit(record.supervisor, 25_000);
      if (!exited)
        options.onProgress('the supervisor did not stop in time; stopping services directly');
    }
    // A database goes last: its clients must leave first.
    const ordered = [
      ...services.filter((x) => x.name !== 'postgres'),
      ...services.filter((x) => x.name === 'postgres'),
    ];
    for (const service of ordered) {
      if (isRunning(service)) {
        options.onProgress(`stopping ${service.name} (pid ${service.pid})`);
        await terminate(service, 10_000);
      }
      stopped.push({ name: service.name, pid: service.pid });
    }
    if (isRunning(record.supervisor)) await terminate(record.supervisor, 5_000);
    removeStackRecord(stateDir);
  }

  const removedVolumes: string[] = [];
  if (options.volumes) {
    const layout = stateLayout(stateDir);
    // Only what was there: `down` says what it deleted, not what it would have.
    for (const path of [...layout.volumes, ...postgresVolumes(layout)]) {
      if (!existsSync(path)) continue;
      rmSync(path, { recursive: true, force: true });
      removedVolumes.push(path);
    }
  }
  return { stopped, wasRunning: record !== undefined, removedVolumes };
}

export type Health = 'healthy' | 'unhealthy' | 'starting' | 'stopped' | 'failed';

export interface ServiceStatus {
  readonly name: ServiceName;
  readonly pid: number | null;
  readonly ports: Readonly<Record<string, number>>;
  readonly url: string;
  readonly health: Health;
  readonly uptime_s: number | null;
  readonly restarts: number;
  readonly endpoints: readonly { readonly label: string; readonly value: string }[];
  readonly log_file: string;
}

export interface StackStatus {
  readonly record: StackRecord | undefined;
  readonly supervisorRunning: boolean;
  readonly services: readonly ServiceStatus[];
}

/** Live status of every recorded service: its process, and a real readiness probe. */
export async function stackStatus(config: HeadwayConfig): Promise<StackStatus> {
  const record = readStackRecord(config.state_dir);
  if (record === undefined) return { record, supervisorRunning: false, services: [] };
  const layout = stateLayout(config.state_dir);
  // Probes come from the service definitions, of the stack as it was started (`up --profile
  // cluster` or `--temporal-port` given to up only); the binaries do not matter for probing.
  const started = readStackConfig(layout) ?? config;
  const specs = new Map(
    [
      ...stackServices(started, { temporal: '', prometheus: '' }, layout),
      ...(started.stack.profile === 'cluster' ? clusterProbeSpecs(started, layout) : []),
      copilotService(started, layout),
    ].map((s) => [s.name, s]),
  );
  const now = Date.now();
  const services = await Promise.all(
    record.services.map(async (s): Promise<ServiceStatus> => {
      const alive = isRunning(s);
      let health: Health;
      if (!alive) health = s.status === 'failed' ? 'failed' : 'stopped';
      else if (s.status === 'starting' || s.status === 'restarting') health = 'starting';
      else
        health = (await (specs.get(s.name)?.probe(2_000) ?? Promise.resolve(false)))
          ? 'healthy'
          : 'unhealthy';
      return {
        name: s.name,
        pid: alive ? s.pid : null,
        ports: s.ports,
        url: s.url,
        health,
        uptime_s: alive ? Math.max(0, Math.round((now - Date.parse(s.started_at)) / 1000)) : null,
        restarts: s.restarts,
        endpoints: s.endpoints,
        log_file: s.log_file,
      };
    }),
  );
  return { record, supervisorRunning: isRunning(record.supervisor), services };
}
