import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { z } from 'zod';

import { ErrorCode, HeadwayError, errorMessage } from '../errors.js';

import { isRunning } from '../os/process-identity.js';
import { clearStaleStoreLock } from '../store/pglite-lock.js';

/** The dev profile's services; the cluster profile has `postgres`, `temporal-<role>-<n>`, `temporal-ui`. */
export const SERVICE_NAMES = [
  'temporal-monitored',
  'temporal-copilot',
  'prometheus',
  'copilot',
] as const;
/** A service of the stack: names are kebab-case and unique within one stack. */
export type ServiceName = string;
const ServiceNameSchema = z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'must be a service name');

/** Where everything of one local stack lives. */
export function stateLayout(stateDir: string) {
  return {
    root: stateDir,
    record: join(stateDir, 'stack.json'),
    logs: join(stateDir, 'logs'),
    supervisorLog: join(stateDir, 'logs', 'supervisor.log'),
    serviceLog: (name: string) => join(stateDir, 'logs', `${name}.log`),
    serviceData: (name: ServiceName) => join(stateDir, name),
    prometheusConfig: join(stateDir, 'prometheus', 'prometheus.yml'),
    prometheusTargets: join(stateDir, 'prometheus', 'targets'),
    prometheusData: join(stateDir, 'prometheus', 'data'),
    /** The config (secrets included) handed to the copilot child; mode 0600, removed at stop. */
    copilotConfig: join(stateDir, 'copilot-config.json'),
    /** What `down --volumes` removes: only what Headway created, never the directory itself. */
    volumes: [
      join(stateDir, 'temporal-monitored'),
      join(stateDir, 'temporal-copilot'),
      join(stateDir, 'prometheus'),
      // The cluster profile's generated configs and its PostgreSQL (see cluster/postgres.ts for
      // the data dir used when running as root).
      join(stateDir, 'cluster'),
      join(stateDir, 'postgres'),
      join(stateDir, 'logs'),
      // The copilot's PGlite store (store.pglite_dir elsewhere is the user's, never removed).
      join(stateDir, 'store'),
      join(stateDir, 'store.lock'),
    ],
  };
}
export type StateLayout = ReturnType<typeof stateLayout>;

const identity = { pid: z.number().int(), start_time: z.number().nullable() };

const ServiceRecordSchema = z.object({
  name: ServiceNameSchema,
  ...identity,
  started_at: z.string(),
  status: z.enum(['starting', 'running', 'restarting', 'failed', 'stopped']),
  restarts: z.number().int(),
  ports: z.record(z.string(), z.number().int()),
  url: z.string(),
  endpoints: z.array(z.object({ label: z.string(), value: z.string() })),
  log_file: z.string(),
});
export type ServiceRecord = z.infer<typeof ServiceRecordSchema>;

const StackRecordSchema = z.object({
  version: z.literal(1),
  state_dir: z.string(),
  status: z.enum(['starting', 'ready', 'stopping']),
  started_at: z.string(),
  supervisor: z.object({ ...identity, mode: z.enum(['foreground', 'detached']) }),
  services: z.array(ServiceRecordSchema),
});
export type StackRecord = z.infer<typeof StackRecordSchema>;

/** Makes sure the state dir is a writable directory. */
export function ensureStateDir(stateDir: string): void {
  try {
    const stat = statSync(stateDir, { throwIfNoEntry: false });
    if (stat !== undefined && !stat.isDirectory()) {
      throw new HeadwayError(
        ErrorCode.StateDirInvalid,
        `state dir ${stateDir} is not a directory`,
        {
          hint: 'pass another --state-dir, or move that file away',
        },
      );
    }
    mkdirSync(join(stateDir, 'logs'), { recursive: true });
  } catch (err) {
    if (err instanceof HeadwayError) throw err;
    throw new HeadwayError(ErrorCode.StateDirInvalid, `cannot use state dir ${stateDir}`, {
      details: [errorMessage(err)],
      hint: 'pass a writable directory with --state-dir or HEADWAY_STATE_DIR',
    });
  }
}

/** Reads stack.json; undefined when there is none. A damaged record is an error, not "no stack". */
export function readStackRecord(stateDir: string): StackRecord | undefined {
  const file = stateLayout(stateDir).record;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new HeadwayError(ErrorCode.StateCorrupt, `cannot read ${file}`, {
      details: [errorMessage(err)],
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw corrupt(file, errorMessage(err));
  }
  const parsed = StackRecordSchema.safeParse(json);
  if (!parsed.success) throw corrupt(file, z.prettifyError(parsed.error));
  return parsed.data;
}

function corrupt(file: string, detail: string): HeadwayError {
  return new HeadwayError(ErrorCode.StateCorrupt, `the stack record ${file} is damaged`, {
    details: detail.split('\n'),
    hint:
      'if no Headway process is running, delete that file (data is kept) or run `headway down --volumes` ' +
      'to start from scratch',
  });
}

/** Atomic: a crash mid-write leaves the previous record, never half a file. */
export function writeStackRecord(record: StackRecord): void {
  const file = stateLayout(record.state_dir).record;
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(tmp, file);
}

/**
 * Creates the record only if none exists: two `headway up` racing for one state dir cannot both
 * win. Returns false when another record is already there.
 */
export function claimStackRecord(record: StackRecord): boolean {
  const file = stateLayout(record.state_dir).record;
  try {
    writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`, { flag: 'wx' });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

export function removeStackRecord(stateDir: string): void {
  const layout = stateLayout(stateDir);
  rmSync(layout.record, { force: true });
  rmSync(layout.copilotConfig, { force: true });
  // The stopped copilot may not have released its store (a signal ends it before `exit`).
  clearStaleStoreLock(join(stateDir, 'store'));
}

/** Services of a record whose processes are still alive (by pid and start time). */
export function liveServices(record: StackRecord): ServiceRecord[] {
  return record.services.filter((s) => s.status !== 'stopped' && isRunning(s));
}
