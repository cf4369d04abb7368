import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The job that reads the file-based target lists; a target file may set its own `job` label. */
export const FILE_SD_JOB = 'headway';

export interface TargetRegistration {
  /** Unique name of the registering process, e.g. `worker-4242`. Becomes the file name. */
  readonly id: string;
  readonly job: string;
  readonly address: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * Adds a scrape target to the local stack's Prometheus (file-based service discovery, picked up
 * within one scrape interval). Returns a function that removes it again.
 */
export function registerTarget(targetsDir: string, target: TargetRegistration): () => void {
  if (!/^[A-Za-z0-9_.-]+$/.test(target.id)) {
    throw new Error(`target id ${JSON.stringify(target.id)} may use only letters, digits, _ . -`);
  }
  mkdirSync(targetsDir, { recursive: true });
  const file = join(targetsDir, `${target.id}.json`);
  const body = [{ targets: [target.address], labels: { ...target.labels, job: target.job } }];
  const tmp = `${file}.tmp`;
  // Prometheus reads only *.json, and a rename is atomic: it never sees half a file.
  writeFileSync(tmp, JSON.stringify(body, null, 2));
  renameSync(tmp, file);
  return () => rmSync(file, { force: true });
}

export function listTargets(targetsDir: string): string[] {
  try {
    return readdirSync(targetsDir).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
}
