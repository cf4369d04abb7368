import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { identify, isRunning, type ProcessIdentity } from '../../os/process-identity.js';

/**
 * Step commands run detached in their own process group, so a worker killed outright (SIGKILL,
 * OOM) leaves them running, and the retried activity would start a second copy beside them. Each
 * running step is recorded on disk with the worker that started it; a worker that starts ends the
 * steps whose worker is gone, and a retried activity ends the steps of its earlier attempts.
 */
export interface StepRecord {
  /** The step's process (its pid is also its process-group id). */
  readonly step: ProcessIdentity;
  readonly worker: ProcessIdentity;
  readonly workflow_id: string;
  readonly activity_id: string;
}

export class StepRecords {
  readonly #dir: string;
  readonly #worker: ProcessIdentity = identify(process.pid);

  constructor(dir: string) {
    this.#dir = dir;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  add(pid: number, activity: { workflowId: string; activityId: string }): void {
    const record: StepRecord = {
      step: identify(pid),
      worker: this.#worker,
      workflow_id: activity.workflowId,
      activity_id: activity.activityId,
    };
    writeFileSync(this.#file(pid), JSON.stringify(record), { mode: 0o600 });
  }

  remove(pid: number): void {
    rmSync(this.#file(pid), { force: true });
  }

  /**
   * Ends recorded steps whose worker is no longer running, or, given an activity, that activity's
   * steps (its earlier attempt). A step is signalled only while its pid and start time still match,
   * so a recycled pid is never touched. Returns the pids ended.
   */
  reap(activity?: { workflowId: string; activityId: string }): number[] {
    const ended: number[] = [];
    for (const name of readdirSync(this.#dir)) {
      if (!name.endsWith('.json')) continue;
      const path = join(this.#dir, name);
      const record = readRecord(path);
      if (record === null) {
        rmSync(path, { force: true });
        continue;
      }
      const ours =
        activity === undefined
          ? !isRunning(record.worker)
          : record.workflow_id === activity.workflowId &&
            record.activity_id === activity.activityId;
      if (!ours) continue;
      if (isRunning(record.step)) {
        try {
          process.kill(-record.step.pid, 'SIGKILL');
          ended.push(record.step.pid);
        } catch {
          // Gone between the check and the signal.
        }
      }
      rmSync(path, { force: true });
    }
    return ended;
  }

  #file(pid: number): string {
    return join(this.#dir, `${String(pid)}.json`);
  }
}

function readRecord(path: string): StepRecord | null {
  try {
    const r = JSON.parse(readFileSync(path, 'utf8')) as Partial<StepRecord>;
    const identity = (x: unknown): x is ProcessIdentity =>
      typeof x === 'object' && x !== null && typeof (x as ProcessIdentity).pid === 'number';
    if (!identity(r.step) || !identity(r.worker)) return null;
    return {
      step: r.step,
      worker: r.worker,
      workflow_id: String(r.workflow_id),
      activity_id: String(r.activity_id),
    };
  } catch {
    return null;
  }
}
